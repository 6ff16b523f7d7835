# Project wrappers so every component declares libraries, tests and functions the same way.

# zs_add_library(NAME SOURCES a.cc ... [DEPS target ...] [CONVERSION])
# A static library; headers are included as "src/<dir>/x.h" relative to the repo root, public
# ones as "zerostart/x.h". CONVERSION adds -Wconversion (used wherever practical).
function(zs_add_library name)
  cmake_parse_arguments(ARG "CONVERSION" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  # BUILD_INTERFACE: the source tree is never a consumer's include path (cmake/zerostart_install.cmake
  # gives the installed targets <prefix>/include instead).
  target_include_directories(${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                            $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(ARG_CONVERSION)
    target_compile_options(${name} PRIVATE -Wconversion -Wsign-conversion)
  endif()
endfunction()

# zs_add_test(NAME SOURCES a_test.cc ... [DEPS target ...] [LABELS unit|integration|interop ...])
# A GoogleTest binary; each TEST becomes its own ctest entry carrying LABELS (default: unit).
function(zs_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main
                        Threads::Threads)
  target_compile_definitions(${name} PRIVATE
    ZS_BIN_DIR="${CMAKE_RUNTIME_OUTPUT_DIRECTORY}"
    ZS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    ZS_BUILD_DIR="${CMAKE_BINARY_DIR}")
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# zs_add_function(NAME SOURCES main.cc ... [DEPS target ...])
# A Lambda function binary in bin/: links the zerostart runtime, statically unless
# ZS_STATIC_FUNCTIONS is OFF, stripped in Release.
function(zs_add_function name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE zerostart_runtime ${ARG_DEPS})
  if(ZS_STATIC_FUNCTIONS)
    target_link_options(${name} PRIVATE -static)
  endif()
  target_link_options(${name} PRIVATE $<$<CONFIG:Release>:-s>)
endfunction()
