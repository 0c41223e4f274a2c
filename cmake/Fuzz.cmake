# The libFuzzer target for the spec loader (tests/fuzz/), built by the `fuzz` preset with
# clang, ASan and UBSan. Every library it links is compiled with -fsanitize=fuzzer-no-link
# so the fuzzer sees their coverage; only the fuzz executable links libFuzzer's main.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "COLTEC_FUZZ needs clang (the fuzz preset sets clang++-14)")
endif()
target_compile_options(coltec_warnings INTERFACE -fsanitize=fuzzer-no-link)

add_executable(spec_loader_fuzz tests/fuzz/spec_loader_fuzz.cpp)
target_link_libraries(spec_loader_fuzz PRIVATE coltec_config coltec_planner)
target_link_options(spec_loader_fuzz PRIVATE -fsanitize=fuzzer)

# A bounded run on the checked-in corpus (COLTEC_FUZZ_SECONDS, default 30). What it finds
# new goes to the build tree, never into the repository; a crash leaves its input in
# build/fuzz/artifacts/ and fails the test (copy it to tests/fuzz/crashes/: see README).
enable_testing()
add_test(NAME fuzz.spec_loader
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fuzz/run.sh $<TARGET_FILE:spec_loader_fuzz>
                 ${CMAKE_BINARY_DIR})
set_tests_properties(fuzz.spec_loader PROPERTIES LABELS fuzz TIMEOUT 900)
