# Helpers shared by every folder's CMakeLists.txt.

# strata_add_test(NAME name SOURCES a_test.cc ... LIBS strata_x ...)
# One GoogleTest binary; each TEST becomes a CTest test. Sanitizer options and the
# conformance folder are passed through the environment.
function(strata_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(NOT STRATA_TESTS)
    return()
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  # Every test runs through `env` with strata's test environment: gtest_discover_tests cannot
  # pass a list-valued ENVIRONMENT property through its generated script, but it does honour
  # the target's CROSSCOMPILING_EMULATOR (for discovery and for each test).
  set_target_properties(${T_NAME} PROPERTIES CROSSCOMPILING_EMULATOR "/usr/bin/env;${STRATA_TEST_ENV}")
  # NO_PRETTY_VALUES: data-driven suites name each case (Cases/Suite.Test/case_name); without
  # it ctest would append "  # GetParam() = <path>" to every such name.
  gtest_discover_tests(${T_NAME}
    DISCOVERY_MODE PRE_TEST
    NO_PRETTY_VALUES
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    PROPERTIES TIMEOUT ${T_TIMEOUT})
endfunction()

set(STRATA_TEST_ENV
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1"
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/lsan.supp:print_suppressions=0"
  "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
  "STRATA_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
  "STRATA_BINARY_DIR=${CMAKE_BINARY_DIR}"
  "TF_CLI_CONFIG_FILE=/dev/null"
  "CHECKPOINT_DISABLE=1"
)
