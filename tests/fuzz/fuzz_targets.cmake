# What each fuzz target is made of, shared by the libFuzzer build
# (tests/fuzz/CMakeLists.txt, VIDPRED_FUZZ=ON) and the regression tests of the
# normal build (tests/CMakeLists.txt): everything here is torch-free.
set(VIDPRED_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
set(VIDPRED_FUZZ_TARGETS tfrecord example csv run_config)

# vidpred_fuzz_target(TARGET NAME): adds the sources and libraries of fuzz
# target NAME (fuzz_NAME.cpp) to the executable TARGET.
function(vidpred_fuzz_target target name)
  target_sources(${target} PRIVATE ${VIDPRED_FUZZ_DIR}/fuzz_${name}.cpp)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
  if(name STREQUAL "tfrecord")
    target_link_libraries(${target} PRIVATE vidpred_formats)
  elseif(name STREQUAL "example" OR name STREQUAL "csv")
    # vidpred_image_io: whether a PNG frame may say the build lacks imgcodecs.
    target_link_libraries(${target} PRIVATE vidpred_converters vidpred_image_io)
  elseif(name STREQUAL "run_config")
    # The run schema and the torch-free stages are compiled in from their
    # own files; the torch stages are stand-ins (run_config_registry.cpp).
    set(stages ${PROJECT_SOURCE_DIR}/stages)
    target_sources(${target} PRIVATE
      ${VIDPRED_FUZZ_DIR}/run_config_registry.cpp
      ${PROJECT_SOURCE_DIR}/pipeline/run/run_schema.cpp
      ${stages}/schedules/constant.cpp
      ${stages}/schedules/cyclical.cpp
      ${stages}/schedules/cyclical_factor.cpp
      ${stages}/schedules/linear_tfr.cpp
      ${stages}/schedules/monotonic.cpp
      ${stages}/schedules/reference_tfr.cpp
      ${stages}/data/temporal_window.cpp
      ${stages}/data/color_jitter.cpp
      ${stages}/data/gaussian_noise.cpp)
    target_link_libraries(${target} PRIVATE vidpred_pipeline)
  else()
    message(FATAL_ERROR "unknown fuzz target '${name}'")
  endif()
endfunction()
