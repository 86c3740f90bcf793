# Project-wide compile settings and the helper every folder uses to declare
# its library, so that warnings and sanitizers are set in one place.

if(VIDPRED_SANITIZE)
  add_compile_options(-fsanitize=${VIDPRED_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${VIDPRED_SANITIZE})
endif()

# vidpred_library(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...] [TORCH_PCH])
function(vidpred_library name)
  cmake_parse_arguments(ARG "TORCH_PCH" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  if(ARG_TORCH_PCH)
    vidpred_torch_pch(${name})
    # Even with the shared PCH, each torch translation unit costs 12 s of CPU
    # at -O1, half of it loading the 570 MB PCH: the whole library in one
    # unit pays that once (32 covers our largest). Files must not clash in
    # their anonymous namespaces (CI builds this way).
    if(VIDPRED_UNITY_BUILD)
      set_target_properties(${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 32)
    endif()
  elseif(VIDPRED_UNITY_BUILD)
    # The other libraries' files are small, and each parsed the standard
    # library, fmt and toml++ again: 8 to a unit, they cost 70 CPU-seconds
    # instead of 150, which ran beside the torch PCH and slowed it from 50 s
    # to 70 s (a clean build of vidpred: 109 s against 135 s).
    set_target_properties(${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()

# One precompiled header of the LibTorch pieces we use, shared by every
# torch-heavy target: parsing those headers once instead of per file is most
# of a clean build's time.
#
# These targets only call LibTorch, whose kernels do the work: at -O1 they
# compile in about half the time of -O3 (one unit of pipeline/run: 19 s
# against 35 s) and run as fast (bench train and bench plan: within
# run-to-run noise). Every target sharing the PCH needs its owner's flags,
# so they are set here.
function(vidpred_torch_pch name)
  separate_arguments(torch_opt UNIX_COMMAND "${VIDPRED_TORCH_OPT}")  # "-O2 -g": two flags
  target_compile_options(${name} PRIVATE "$<$<CONFIG:Release>:${torch_opt}>")
  if(NOT TARGET vidpred_torch_pch_owner)
    set_property(GLOBAL PROPERTY VIDPRED_TORCH_PCH_OWNER ${name})
    add_custom_target(vidpred_torch_pch_owner)
    target_precompile_headers(${name} PRIVATE ${PROJECT_SOURCE_DIR}/model/torch_pch.h)
  else()
    get_property(owner GLOBAL PROPERTY VIDPRED_TORCH_PCH_OWNER)
    target_precompile_headers(${name} REUSE_FROM ${owner})
  endif()
endfunction()

# vidpred_protobuf(TARGET PROTO): compiles PROTO (a path from the current
# folder) into TARGET; its header is included by its path in the repository,
# "stages/writers/proto/event.pb.h", like every other header.
function(vidpred_protobuf target proto)
  get_filename_component(abs_proto ${proto} ABSOLUTE)
  file(RELATIVE_PATH repo_proto ${PROJECT_SOURCE_DIR} ${abs_proto})
  get_filename_component(repo_dir ${repo_proto} DIRECTORY)
  set(out_dir ${CMAKE_BINARY_DIR}/gen/${repo_dir})
  # protoc does not create the folder it writes to.
  file(MAKE_DIRECTORY ${out_dir})
  # APPEND_PATH (the proto's own folder as protoc's import path) is the one
  # form whose output lands in the same place under CMake 3.25 and 3.31: the
  # others name it relative to the calling folder in one and to the first
  # import path in the other.
  protobuf_generate(TARGET ${target} LANGUAGE cpp PROTOS ${abs_proto} APPEND_PATH PROTOC_OUT_DIR ${out_dir})
  target_include_directories(${target} PUBLIC ${CMAKE_BINARY_DIR}/gen)
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf)
endfunction()
