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
