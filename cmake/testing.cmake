# Test helpers: sw_add_test(NAME name SOURCES ... LIBS ... LABELS unit|integration|e2e|chaos
#                           [PROGRAMS program ...] [TIMEOUT seconds])
# builds one GoogleTest executable and registers its tests with ctest under the labels.
# PROGRAMS are the project's executables the tests start: they are built first, and each
# one's path is given to the tests as <NAME>_PROGRAM (scanctl -> SCANCTL_PROGRAM).
option(SW_BUILD_TESTS "Build the tests" ON)

if(SW_BUILD_TESTS)
  enable_testing()
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()

function(sw_add_test)
  if(NOT SW_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;PROGRAMS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  sw_set_warnings(${T_NAME})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  foreach(program IN LISTS T_PROGRAMS)
    add_dependencies(${T_NAME} ${program})
    string(TOUPPER "${program}_PROGRAM" definition)
    string(REPLACE "-" "_" definition "${definition}")
    target_compile_definitions(${T_NAME} PRIVATE ${definition}="$<TARGET_FILE:${program}>")
  endforeach()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
               ENVIRONMENT "SW_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    DISCOVERY_TIMEOUT 60)
endfunction()
