# Every dependency comes from a Debian bookworm package, or from the carried
# copies of those packages plus PyTorch's LibTorch on the GPU machine.

find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(TBB REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CLI11 REQUIRED)

# Debian keeps HDF5 under hdf5/serial, which find_package(HDF5) misses when the
# package is unpacked under a prefix; the plain search works on both machines.
find_package(HDF5 COMPONENTS C QUIET)
if(HDF5_FOUND)
  set(VIDPRED_HDF5_INCLUDE ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS})
  set(VIDPRED_HDF5_LIBRARY ${HDF5_C_LIBRARIES})
else()
  find_path(VIDPRED_HDF5_INCLUDE hdf5.h PATH_SUFFIXES hdf5/serial REQUIRED)
  find_library(VIDPRED_HDF5_LIBRARY NAMES hdf5_serial hdf5 PATH_SUFFIXES hdf5/serial REQUIRED)
endif()
add_library(vidpred_hdf5 INTERFACE)
target_include_directories(vidpred_hdf5 SYSTEM INTERFACE ${VIDPRED_HDF5_INCLUDE})
target_link_libraries(vidpred_hdf5 INTERFACE ${VIDPRED_HDF5_LIBRARY})

# OpenCV: core and imgproc everywhere; image files and video only where the
# machine has them (the GPU machine carries core and imgproc alone, since
# imgcodecs and videoio pull in GDAL and FFmpeg). Without them, BAIR's raw
# frames still convert and train; PNG/JPEG frames, the PNG/video writers and
# the tests that read images are what is left out.
# QUIET: its "found components: core imgproc" reads as if image I/O were
# missing; the summary line at the end of configuring says what was found.
find_package(OpenCV REQUIRED COMPONENTS core imgproc QUIET)
if(VIDPRED_IMAGE_IO)
  find_file(VIDPRED_IMGCODECS_HEADER opencv2/imgcodecs.hpp PATHS ${OpenCV_INCLUDE_DIRS} NO_DEFAULT_PATH)
  find_file(VIDPRED_VIDEOIO_HEADER opencv2/videoio.hpp PATHS ${OpenCV_INCLUDE_DIRS} NO_DEFAULT_PATH)
  if(NOT VIDPRED_IMGCODECS_HEADER OR NOT VIDPRED_VIDEOIO_HEADER)
    message(STATUS "OpenCV imgcodecs/videoio not found: building without PNG/JPEG frames and the PNG/video writers")
    set(VIDPRED_IMAGE_IO OFF)
  endif()
endif()
add_library(vidpred_image_io INTERFACE)
if(VIDPRED_IMAGE_IO)
  target_link_libraries(vidpred_image_io INTERFACE opencv_imgcodecs opencv_videoio)
  target_compile_definitions(vidpred_image_io INTERFACE VIDPRED_HAVE_IMAGE_IO=1)
endif()
find_package(GIF QUIET)

# The TFRecord example schema and TensorBoard's events.
find_package(Protobuf)
if(NOT Protobuf_FOUND)
  message(FATAL_ERROR "protobuf not found: install libprotobuf-dev and protobuf-compiler (.ci/install-deps does)")
endif()

if(VIDPRED_TORCH)
  find_package(Torch REQUIRED)
endif()

# fmt, compiled: header-only fmt costs every translation unit about 2.5 s
# of CPU at -O3 (half of a clean build's CPU time on 2 cores). PyTorch's
# own LibTorch ships fmt headers of another version in its include folder;
# there, header-only fmt listed ahead of Torch is what keeps our fmt's
# headers and code together (the compiled library would meet torch's headers).
get_target_property(_fmt_include fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
set(_fmt_header_only OFF)
foreach(_dir IN LISTS TORCH_INCLUDE_DIRS)
  if(EXISTS "${_dir}/fmt/core.h" AND NOT _dir IN_LIST _fmt_include)
    set(_fmt_header_only ON)
  endif()
endforeach()
add_library(vidpred_fmt INTERFACE)
if(_fmt_header_only)
  target_link_libraries(vidpred_fmt INTERFACE fmt::fmt-header-only)
else()
  target_link_libraries(vidpred_fmt INTERFACE fmt::fmt)
endif()

if(VIDPRED_TORCH)
  add_library(vidpred_torch INTERFACE)
  target_link_libraries(vidpred_torch INTERFACE vidpred_fmt ${TORCH_LIBRARIES})
  target_include_directories(vidpred_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
  if(TORCH_CXX_FLAGS)
    separate_arguments(_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
    target_compile_options(vidpred_torch INTERFACE ${_torch_flags})
  endif()
  if(TARGET torch_cuda OR CUDA_FOUND OR CAFFE2_USE_CUDA)
    target_compile_definitions(vidpred_torch INTERFACE VIDPRED_CUDA=1)
    set(VIDPRED_CUDA ON)
  endif()
endif()

# tcmalloc: torch's CPU kernels allocate and free megabyte buffers on every
# call; glibc's malloc hands them back to the kernel each time, and the page
# faults were half of a training step on our machines. Optional (the GPU
# machine does not carry it), and off under sanitizers, which bring their own.
add_library(vidpred_malloc INTERFACE)
if(NOT VIDPRED_SANITIZE)
  find_library(VIDPRED_TCMALLOC NAMES tcmalloc_minimal libtcmalloc_minimal.so.4)
  if(VIDPRED_TCMALLOC)
    target_link_libraries(vidpred_malloc INTERFACE ${VIDPRED_TCMALLOC})
  else()
    message(STATUS "tcmalloc not found: CPU training will be slower (install libgoogle-perftools-dev)")
  endif()
endif()

find_package(doctest QUIET)
if(NOT doctest_FOUND)
  find_path(VIDPRED_DOCTEST_INCLUDE doctest/doctest.h REQUIRED)
  add_library(doctest::doctest INTERFACE IMPORTED)
  target_include_directories(doctest::doctest INTERFACE ${VIDPRED_DOCTEST_INCLUDE})
endif()
