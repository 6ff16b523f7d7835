# zerostart_add_function and zerostart_package: Lambda functions in users' own CMake projects.
# Installed beside zerostartConfig.cmake, which includes it after defining zerostart::runtime,
# ZEROSTART_ARCH and ZEROSTART_CLI. Usage: examples/cmake-function/README.md.

# Argument checks shared by the functions below: unparsed arguments are an error naming the
# call; VAR gets VALUE when it is empty or unset.
macro(_zerostart_refuse_unparsed command name)
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${command}(${name}): unexpected arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
endmacro()
macro(_zerostart_default var value)
  if(NOT ${var})
    set(${var} ${value})
  endif()
endmacro()

# zerostart_add_function(NAME SOURCES a.cc ... [LIBRARIES target ...])
# An executable NAME (C++20) linking zerostart::runtime and LIBRARIES, statically (-static: Lambda
# runs it as `bootstrap` with nothing from the host; provided.al2023 has glibc 2.34) and stripped
# in Release/MinSizeRel, as the functions in zerostart's own tree (zs_add_function).
function(zerostart_add_function name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES;LIBRARIES")
  _zerostart_refuse_unparsed(zerostart_add_function ${name})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "zerostart_add_function(${name}): SOURCES is required")
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE zerostart::runtime ${ARG_LIBRARIES})
  target_compile_features(${name} PRIVATE cxx_std_20)
  target_link_options(${name} PRIVATE -static $<$<CONFIG:Release,MinSizeRel>:-s>)
endfunction()

# zerostart_package(NAME [ARCH x86_64|arm64] [OUTPUT file.zip] [INCLUDE path ...] [EXCLUDE_FROM_ALL])
# A custom target NAME_zip that writes OUTPUT (default: ${CMAKE_CURRENT_BINARY_DIR}/NAME.zip) with
# `zerostart package`: the function NAME as `bootstrap` at the zip's root, plus the INCLUDE paths
# (given relative to ${CMAKE_CURRENT_SOURCE_DIR}, where the command runs). Part of the default
# build unless EXCLUDE_FROM_ALL; rebuilt when the function, an included file or the CLI changes.
# The target is not called NAME.zip: a target cannot share its name with the file it makes in
# the same directory (Ninja refuses two rules for one path; Make drops a circular dependency and
# repackages on every build).
# ARCH defaults to ZEROSTART_ARCH, the architecture of the zerostart package found; it must match
# it: an arm64 zip needs this project configured with an aarch64 toolchain file against a
# zerostart installed from an arm64 build (see examples/cmake-function/README.md).
function(zerostart_package name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "EXCLUDE_FROM_ALL" "ARCH;OUTPUT" "INCLUDE")
  _zerostart_refuse_unparsed(zerostart_package ${name})
  if(NOT TARGET ${name})
    message(FATAL_ERROR "zerostart_package(${name}): no target ${name}; "
                        "declare it first with zerostart_add_function(${name} SOURCES ...)")
  endif()
  set(arch ${ZEROSTART_ARCH})
  if(ARG_ARCH)
    set(arch ${ARG_ARCH})
  endif()
  if(NOT arch MATCHES "^(x86_64|arm64)$")
    message(FATAL_ERROR "zerostart_package(${name}): ARCH must be x86_64 or arm64, not '${arch}'")
  endif()
  if(NOT arch STREQUAL ZEROSTART_ARCH)
    message(FATAL_ERROR
      "zerostart_package(${name}): ARCH ${arch}, but the zerostart found (${zerostart_DIR}) is built "
      "for ${ZEROSTART_ARCH}. For arm64, configure this project with an aarch64 toolchain file "
      "(zerostart's cmake/toolchains/aarch64-linux-gnu.cmake) and CMAKE_PREFIX_PATH naming a "
      "zerostart installed from an arm64 build.")
  endif()
  if(NOT ZEROSTART_CLI)
    message(FATAL_ERROR "zerostart_package(${name}): the `zerostart` command was not found; "
                        "set -DZEROSTART_CLI=/path/to/bin/zerostart (a host build of zerostart)")
  endif()

  set(output ${CMAKE_CURRENT_BINARY_DIR}/${name}.zip)
  if(ARG_OUTPUT)
    cmake_path(ABSOLUTE_PATH ARG_OUTPUT BASE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR} OUTPUT_VARIABLE output)
  endif()
  set(include_args "")
  set(include_depends "")
  foreach(path IN LISTS ARG_INCLUDE)
    list(APPEND include_args --include ${path})
    cmake_path(ABSOLUTE_PATH path BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} OUTPUT_VARIABLE absolute)
    if(NOT IS_DIRECTORY ${absolute})
      list(APPEND include_depends ${absolute})
    endif()
  endforeach()

  add_custom_command(OUTPUT ${output}
    COMMAND ${ZEROSTART_CLI} package --arch ${arch} -o ${output} $<TARGET_FILE:${name}> ${include_args}
    DEPENDS ${name} ${ZEROSTART_CLI} ${include_depends}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    COMMENT "Packaging ${name} for AWS Lambda (${arch}): ${output}"
    VERBATIM)
  set(all ALL)
  if(ARG_EXCLUDE_FROM_ALL)
    set(all "")
  endif()
  add_custom_target(${name}_zip ${all} DEPENDS ${output})
endfunction()

# Java functions, through zerostart's JNI bridge (dev.zerostart.Lambda in zerostart.jar over
# libzerostart_jni.so). They need what zerostartConfig.cmake (or zerostart's own tree) sets:
# ZEROSTART_JAVA_JAR, ZEROSTART_JAVA_JNI_LIBRARY, ZEROSTART_JAVA_SUPPORT_DIR (bootstrap.sh.in,
# Dockerfile.in, zerostart_java_cds_archive.sh), ZEROSTART_CLI for the class-data-sharing
# training run, and optionally ZEROSTART_JAVA_BUILD_DEPENDS (targets those files come from).

# _zerostart_java_image_facts(NAME): what the Dockerfile of Java function NAME is made with, set
# in the caller's scope: ZS_JAVA_DOCKER_ARCH (amd64 | arm64) and ZS_JAVA_OPENJDK_VERSION (this
# host's Debian OpenJDK 17 package version, "" when dpkg does not know it). The image is Debian 12
# with its OpenJDK 17, which must be the build that made lib/app.jsa (the JVM ignores an archive
# of another build) and must have the glibc the bridge needs: the Dockerfile asks for this
# host's OpenJDK package version, and a host that is not Debian 12 is warned about.
function(_zerostart_java_image_facts name)
  if(ZEROSTART_ARCH STREQUAL "arm64" OR (NOT ZEROSTART_ARCH AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$"))
    set(ZS_JAVA_DOCKER_ARCH arm64 PARENT_SCOPE)
  else()
    set(ZS_JAVA_DOCKER_ARCH amd64 PARENT_SCOPE)
  endif()
  execute_process(COMMAND dpkg-query -W -f=\${Version} openjdk-17-jre-headless
                  OUTPUT_VARIABLE version RESULT_VARIABLE dpkg_status ERROR_QUIET)
  if(NOT dpkg_status EQUAL 0)
    set(version "")
  endif()
  set(ZS_JAVA_OPENJDK_VERSION "${version}" PARENT_SCOPE)
  set(os_release "no /etc/os-release")
  if(EXISTS /etc/os-release)
    file(STRINGS /etc/os-release os_release REGEX "^(ID|VERSION_ID)=")
  endif()
  if(NOT os_release MATCHES "ID=debian" OR NOT os_release MATCHES "VERSION_ID=\"12\"")
    message(WARNING "zerostart_add_java_function(${name}): the Dockerfile's image is Debian 12 with its "
                    "OpenJDK 17, but this is not Debian 12 (${os_release}): the JNI bridge may need a newer "
                    "glibc than the image has, and the image's JVM will not use lib/app.jsa")
  endif()
endfunction()

# zerostart_add_java_function(NAME MAIN_CLASS class [JAR file.jar] [SOURCE_DIR dir]
#                             [JARS /path/x.jar ...] [JAVAC_OPTIONS option ...]
#                             [CDS_PAYLOAD json [CDS_INVOKES n]])
# The ALL target NAME: compiles the .java files under SOURCE_DIR (default src, relative to
# ${CMAKE_CURRENT_SOURCE_DIR}) for Java 17 against zerostart.jar and JARS into JAR (default
# NAME.jar), with JAVAC_OPTIONS (default -Xlint:all -Werror), and assembles the Lambda package
# folder ${CMAKE_CURRENT_BINARY_DIR}/package (so one Java function per directory):
#   bootstrap     runs MAIN_CLASS (whose main() calls dev.zerostart.Lambda.serve) on the JVM
#                 (cmake/java/bootstrap.sh.in: the JVM flags and why)
#   lib/          JAR, zerostart.jar, libzerostart_jni.so, each of JARS, and app.jsa when
#                 CDS_PAYLOAD is given and ZEROSTART_JAVA_CDS is on (the default): the
#                 class-data-sharing archive of a training run, CDS_INVOKES (default 1) invokes
#                 with CDS_PAYLOAD under `zerostart serve`, which shortens the JVM's cold start
#   Dockerfile    the container image that deploys it (Debian 12 + OpenJDK 17 + this folder;
#                 it asks for the OpenJDK build installed here, which made lib/app.jsa)
# `zerostart serve -- PACKAGE_FOLDER/bootstrap` runs it here with the host's `java`. Sets NAME's properties
# ZEROSTART_JAVA_PACKAGE (the folder), ZEROSTART_JAVA_CLASSPATH (its jars) and
# ZEROSTART_JAVA_SOURCES (for tests).
function(zerostart_add_java_function name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MAIN_CLASS;JAR;SOURCE_DIR;CDS_PAYLOAD;CDS_INVOKES"
                        "JARS;JAVAC_OPTIONS")
  _zerostart_refuse_unparsed(zerostart_add_java_function ${name})
  if(NOT ARG_MAIN_CLASS)
    message(FATAL_ERROR "zerostart_add_java_function(${name}): MAIN_CLASS is required")
  endif()
  if(NOT ZEROSTART_JAVA_JAR OR NOT ZEROSTART_JAVA_SUPPORT_DIR)
    message(FATAL_ERROR "zerostart_add_java_function(${name}): this zerostart has no JNI bridge "
                        "(it was built without a JDK: apt-get install openjdk-17-jdk-headless, then "
                        "build and install zerostart again)")
  endif()
  find_package(Java 17 COMPONENTS Development REQUIRED)
  _zerostart_default(ARG_JAR ${name}.jar)
  _zerostart_default(ARG_SOURCE_DIR src)
  _zerostart_default(ARG_CDS_INVOKES 1)
  if(NOT DEFINED ARG_JAVAC_OPTIONS)
    set(ARG_JAVAC_OPTIONS -Xlint:all -Werror)
  endif()
  cmake_path(ABSOLUTE_PATH ARG_SOURCE_DIR BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${ARG_SOURCE_DIR}/*.java)
  if(NOT sources)
    message(FATAL_ERROR "zerostart_add_java_function(${name}): no .java file under ${ARG_SOURCE_DIR}")
  endif()
  set(package ${CMAKE_CURRENT_BINARY_DIR}/package)
  set(classes ${CMAKE_CURRENT_BINARY_DIR}/${name}_classes)
  get_directory_property(owner ZEROSTART_JAVA_FUNCTION)
  if(owner)
    message(FATAL_ERROR "zerostart_add_java_function(${name}): ${owner} already makes ${package}; "
                        "declare each Java function in a directory of its own (add_subdirectory)")
  endif()
  set_directory_properties(PROPERTIES ZEROSTART_JAVA_FUNCTION ${name})

  # The bootstrap's class path is relative to the package, as the JVM runs from it.
  set(lib_jars "")
  set(copy_jars "")
  set(runtime_classpath lib/${ARG_JAR}:lib/zerostart.jar)
  foreach(jar IN LISTS ARG_JARS)
    cmake_path(GET jar FILENAME jar_name)
    list(APPEND lib_jars ${package}/lib/${jar_name})
    list(APPEND copy_jars COMMAND ${CMAKE_COMMAND} -E copy ${jar} ${package}/lib/${jar_name})
    string(APPEND runtime_classpath :lib/${jar_name})
  endforeach()
  set(ZS_JAVA_FUNCTION ${name})
  set(ZS_JAVA_MAIN_CLASS ${ARG_MAIN_CLASS})
  set(ZS_JAVA_CLASSPATH ${runtime_classpath})
  string(TOLOWER ${name} ZS_JAVA_IMAGE_NAME)  # Docker image and ECR repository names are lowercase
  _zerostart_java_image_facts(${name})
  set(generated ${CMAKE_CURRENT_BINARY_DIR}/${name}_generated)
  configure_file(${ZEROSTART_JAVA_SUPPORT_DIR}/bootstrap.sh.in ${generated}/bootstrap @ONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                  WORLD_READ WORLD_EXECUTE)
  configure_file(${ZEROSTART_JAVA_SUPPORT_DIR}/Dockerfile.in ${generated}/Dockerfile @ONLY)

  list(JOIN ARG_JARS ":" compile_classpath)
  add_custom_command(
    OUTPUT ${package}/lib/${ARG_JAR}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${classes}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${classes} ${package}/lib
    COMMAND ${Java_JAVAC_EXECUTABLE} ${ARG_JAVAC_OPTIONS} --release 17
            -cp ${ZEROSTART_JAVA_JAR}:${compile_classpath} -d ${classes} ${sources}
    COMMAND ${Java_JAR_EXECUTABLE} --create --file ${package}/lib/${ARG_JAR} -C ${classes} .
    DEPENDS ${sources} ${ZEROSTART_JAVA_JAR}
    COMMENT "javac + jar ${ARG_JAR}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${package}/bootstrap ${package}/Dockerfile ${package}/lib/zerostart.jar
           ${package}/lib/libzerostart_jni.so ${lib_jars}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${package}/lib
    COMMAND ${CMAKE_COMMAND} -E copy ${generated}/bootstrap ${generated}/Dockerfile ${package}
    COMMAND ${CMAKE_COMMAND} -E copy ${ZEROSTART_JAVA_JAR} ${package}/lib/zerostart.jar
    COMMAND ${CMAKE_COMMAND} -E copy ${ZEROSTART_JAVA_JNI_LIBRARY} ${package}/lib/libzerostart_jni.so
    ${copy_jars}
    DEPENDS ${generated}/bootstrap ${generated}/Dockerfile ${ZEROSTART_JAVA_JAR} ${ARG_JARS}
            ${ZEROSTART_JAVA_JNI_LIBRARY} ${ZEROSTART_JAVA_BUILD_DEPENDS}
    COMMENT "${name}: Lambda package ${package}"
    VERBATIM)
  set(outputs ${package}/lib/${ARG_JAR} ${package}/bootstrap)
  if(NOT DEFINED ZEROSTART_JAVA_CDS)  # unset: on; OFF (set by the user) stays off
    set(ZEROSTART_JAVA_CDS ON)
  endif()
  if(ZEROSTART_JAVA_CDS AND DEFINED ARG_CDS_PAYLOAD)
    if(NOT ZEROSTART_CLI)
      message(FATAL_ERROR "zerostart_add_java_function(${name}): CDS_PAYLOAD needs the `zerostart` "
                          "command for the training run; set -DZEROSTART_CLI=/path/to/bin/zerostart "
                          "or -DZEROSTART_JAVA_CDS=OFF")
    endif()
    set(script ${ZEROSTART_JAVA_SUPPORT_DIR}/zerostart_java_cds_archive.sh)
    add_custom_command(
      OUTPUT ${package}/lib/app.jsa
      COMMAND sh ${script} ${ZEROSTART_CLI} ${package} ${ARG_CDS_INVOKES} ${ARG_CDS_PAYLOAD}
      DEPENDS ${script} ${ZEROSTART_CLI} ${ZEROSTART_JAVA_BUILD_DEPENDS} ${package}/lib/${ARG_JAR}
              ${package}/bootstrap ${package}/lib/zerostart.jar ${package}/lib/libzerostart_jni.so
              ${lib_jars}
      COMMENT "${name}: class-data-sharing archive (a training run of ${ARG_CDS_INVOKES} invoke(s))"
      VERBATIM)
    list(APPEND outputs ${package}/lib/app.jsa)
  else()
    file(REMOVE ${package}/lib/app.jsa)  # an archive of an earlier build must not ship
  endif()
  add_custom_target(${name} ALL DEPENDS ${outputs})
  if(ZEROSTART_JAVA_BUILD_DEPENDS)
    add_dependencies(${name} ${ZEROSTART_JAVA_BUILD_DEPENDS})
  endif()
  set(test_classpath ${package}/lib/${ARG_JAR} ${ZEROSTART_JAVA_JAR} ${ARG_JARS})
  set_target_properties(${name} PROPERTIES ZEROSTART_JAVA_PACKAGE ${package}
                                           ZEROSTART_JAVA_CLASSPATH "${test_classpath}"
                                           ZEROSTART_JAVA_SOURCES "${sources}")
endfunction()

# zerostart_add_java_test(NAME FUNCTION java_function [SOURCE_DIR dir] [JARS /path/x.jar ...]
#                         [JAVAC_OPTIONS option ...])
# JUnit 4 tests of a Java function's classes, run by ctest as the test NAME without any server
# or the native library: compiles the .java files under SOURCE_DIR (default test) against the
# function's jars, JARS and JUnit 4 (Debian's junit4: /usr/share/java/junit4.jar and
# hamcrest), and runs every class whose file name ends in Test with org.junit.runner.JUnitCore.
# Without JUnit 4 it says so and adds nothing. NAME is also the ALL target that compiles them.
function(zerostart_add_java_test name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "FUNCTION;SOURCE_DIR" "JARS;JAVAC_OPTIONS")
  _zerostart_refuse_unparsed(zerostart_add_java_test ${name})
  if(NOT ARG_FUNCTION OR NOT TARGET ${ARG_FUNCTION})
    message(FATAL_ERROR "zerostart_add_java_test(${name}): FUNCTION must name a "
                        "zerostart_add_java_function target declared before")
  endif()
  find_file(ZEROSTART_JUNIT4_JAR junit4.jar PATHS /usr/share/java DOC "JUnit 4 (Debian's junit4)")
  find_file(ZEROSTART_HAMCREST_JAR NAMES hamcrest.jar hamcrest-core.jar PATHS /usr/share/java
            DOC "Hamcrest, which JUnit 4 needs (Debian's libhamcrest-java)")
  if(NOT ZEROSTART_JUNIT4_JAR OR NOT ZEROSTART_HAMCREST_JAR)
    message(STATUS "JUnit 4 not found (apt-get install junit4): ${name} is not built")
    return()
  endif()
  _zerostart_default(ARG_SOURCE_DIR test)
  if(NOT DEFINED ARG_JAVAC_OPTIONS)
    set(ARG_JAVAC_OPTIONS -Xlint:all -Werror)
  endif()
  cmake_path(ABSOLUTE_PATH ARG_SOURCE_DIR BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${ARG_SOURCE_DIR}/*.java)
  set(test_classes "")
  foreach(source IN LISTS sources)
    cmake_path(RELATIVE_PATH source BASE_DIRECTORY ${ARG_SOURCE_DIR} OUTPUT_VARIABLE relative)
    if(relative MATCHES "Test\\.java$")
      string(REGEX REPLACE "\\.java$" "" class ${relative})
      string(REPLACE "/" "." class ${class})
      list(APPEND test_classes ${class})
    endif()
  endforeach()
  if(NOT test_classes)
    message(FATAL_ERROR "zerostart_add_java_test(${name}): no *Test.java under ${ARG_SOURCE_DIR}")
  endif()
  get_target_property(function_classpath ${ARG_FUNCTION} ZEROSTART_JAVA_CLASSPATH)
  get_target_property(function_sources ${ARG_FUNCTION} ZEROSTART_JAVA_SOURCES)
  set(classes ${CMAKE_CURRENT_BINARY_DIR}/${name}_classes)
  list(JOIN function_classpath ":" classpath)
  foreach(jar IN LISTS ARG_JARS ZEROSTART_JUNIT4_JAR ZEROSTART_HAMCREST_JAR)
    string(APPEND classpath :${jar})
  endforeach()
  # The function's jar is another target's output: that target comes first (add_dependencies);
  # a file-level dependency on it would make Makefile generators build it twice. Its sources
  # stand for it: a test compiled against an older jar would fail at run time or, through
  # inlined constants, check stale values.
  add_custom_command(
    OUTPUT ${classes}/.compiled
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${classes}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${classes}
    COMMAND ${Java_JAVAC_EXECUTABLE} ${ARG_JAVAC_OPTIONS} --release 17 -cp ${classpath} -d ${classes} ${sources}
    COMMAND ${CMAKE_COMMAND} -E touch ${classes}/.compiled
    DEPENDS ${sources} ${function_sources} ${ZEROSTART_JAVA_JAR}
    COMMENT "javac ${name}"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${classes}/.compiled)
  add_dependencies(${name} ${ARG_FUNCTION})
  add_test(NAME ${name} COMMAND ${Java_JAVA_EXECUTABLE} -cp ${classes}:${classpath}
                                org.junit.runner.JUnitCore ${test_classes})
endfunction()
