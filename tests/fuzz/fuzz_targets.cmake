# What each fuzz target is made of, shared by the libFuzzer build
# (tests/fuzz/CMakeLists.txt, VIDPRED_FUZZ=ON) and the regression tests of the
# normal build (tests/CMakeLists.txt): everything here is torch-free.
set(VIDPRED_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
set(VIDPRED_FUZZ_TARGETS tfrecord example csv run_config)
set(VIDPRED_FUZZ_STAGES ${VIDPRED_FUZZ_DIR}/stages.toml)

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
    # The run schema is compiled in from its own file; the stages, which need
    # LibTorch, are read from their descriptions (stage_descriptions.h).
    target_sources(${target} PRIVATE
      ${VIDPRED_FUZZ_DIR}/stage_descriptions.cpp
      ${PROJECT_SOURCE_DIR}/pipeline/run/run_schema.cpp)
    target_compile_definitions(${target} PRIVATE VIDPRED_FUZZ_STAGES="${VIDPRED_FUZZ_STAGES}")
    target_link_libraries(${target} PRIVATE vidpred_pipeline)
  else()
    message(FATAL_ERROR "unknown fuzz target '${name}'")
  endif()
endfunction()
