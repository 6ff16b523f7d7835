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

# zs_add_test(NAME SOURCES a_test.cc ... [DEPS target ...] [LABELS unit|integration|interop ...]
#             [TIMEOUT SECONDS])
# A GoogleTest binary; each TEST becomes its own ctest entry carrying LABELS (default: unit).
# Tests read the build's paths with src/common/testing/test_config.h (zs_test_config is linked).
# A test beside the code (outside tests/) is registered only when ZS_CODE_TESTS is ON; otherwise
# it stays a target outside `all` (buildable by name) and ctest does not know it.
function(zs_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  cmake_path(IS_PREFIX ZS_SYSTEM_TEST_DIR "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE system_test)
  set(registered ON)
  if(NOT system_test AND NOT ZS_CODE_TESTS)
    set(registered OFF)
  endif()
  if(registered)
    add_executable(${name} ${ARG_SOURCES})
  else()
    add_executable(${name} EXCLUDE_FROM_ALL ${ARG_SOURCES})
  endif()
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR})
  set_target_properties(${name} PROPERTIES UNITY_BUILD ${ZS_UNITY_TESTS} UNITY_BUILD_BATCH_SIZE 0)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} zs_test_config GTest::gtest GTest::gmock
                        GTest::gtest_main Threads::Threads)
  if(registered)
    gtest_discover_tests(${name}
      DISCOVERY_MODE PRE_TEST
      PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
  endif()
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

# zs_add_java_function(TARGET JAR name.jar [JARS /usr/share/java/x.jar ...])
# A Java Lambda function served through the JNI bridge (src/jni): compiles the calling
# directory's src/**/*.java against zerostart.jar and JARS into JAR, and assembles
#   <build>/<dir>/package/{bootstrap, lib/JAR, lib/zerostart.jar, lib/libzerostart_jni.so,
#                          lib/<file name of each of JARS>}
# (the directory's `bootstrap` script is copied there) as the ALL target TARGET.
# REQUIRES: the zerostart_jni target (src/jni) and every file of JARS.
function(zs_add_java_function target)
  cmake_parse_arguments(ARG "" "JAR" "JARS" ${ARGN})
  set(package ${CMAKE_CURRENT_BINARY_DIR}/package)
  set(classes ${CMAKE_CURRENT_BINARY_DIR}/classes)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.java)
  list(JOIN ARG_JARS ":" classpath)
  set(lib_jars)
  set(copy_jars)
  foreach(jar ${ARG_JARS})
    get_filename_component(jar_name ${jar} NAME)
    list(APPEND lib_jars ${package}/lib/${jar_name})
    list(APPEND copy_jars COMMAND ${CMAKE_COMMAND} -E copy ${jar} ${package}/lib/${jar_name})
  endforeach()
  add_custom_command(
    OUTPUT ${package}/lib/${ARG_JAR}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${classes}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${classes} ${package}/lib
    COMMAND ${Java_JAVAC_EXECUTABLE} -Xlint:all -Werror --release 17
            -cp ${ZS_JNI_JAR}:${classpath} -d ${classes} ${sources}
    COMMAND ${Java_JAR_EXECUTABLE} --create --file ${package}/lib/${ARG_JAR} -C ${classes} .
    DEPENDS ${sources} ${ZS_JNI_JAR}
    COMMENT "javac + jar ${ARG_JAR}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${package}/bootstrap ${package}/lib/zerostart.jar ${package}/lib/libzerostart_jni.so
           ${lib_jars}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${package}/lib
    COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_CURRENT_SOURCE_DIR}/bootstrap ${package}/bootstrap
    COMMAND ${CMAKE_COMMAND} -E copy ${ZS_JNI_JAR} ${package}/lib/zerostart.jar
    COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:zerostart_jni> ${package}/lib/libzerostart_jni.so
    ${copy_jars}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/bootstrap ${ZS_JNI_JAR} zerostart_jni
    COMMENT "${target} Lambda package"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${package}/lib/${ARG_JAR} ${package}/bootstrap)
  add_dependencies(${target} zerostart_jar zerostart_jni)
endfunction()

# zs_add_fuzz_replay(NAME SOURCES target_fuzz.cc ... [DEPS target ...] CORPUS dir ...)
# A libFuzzer target's source linked with a plain main (src/common/testing/fuzz_replay_main.cc)
# that runs every input of the committed CORPUS directories (relative to the repository root)
# once: a ctest entry (label fuzz-replay) of the tests beside the code, so it runs under the
# sanitizers of the tree that builds it. Timed fuzzing is `make fuzz` (clang, libFuzzer).
function(zs_add_fuzz_replay name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;CORPUS" ${ARGN})
  if(NOT ZS_CODE_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/src/common/testing/fuzz_replay_main.cc)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  set(dirs)
  foreach(dir ${ARG_CORPUS})
    list(APPEND dirs ${PROJECT_SOURCE_DIR}/${dir})
  endforeach()
  add_test(NAME ${name} COMMAND ${name} ${dirs})
  set_tests_properties(${name} PROPERTIES LABELS fuzz-replay TIMEOUT 120)
endfunction()
