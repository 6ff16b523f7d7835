# zerostart_add_function and zerostart_package: Lambda functions in users' own CMake projects.
# Installed beside zerostartConfig.cmake, which includes it after defining zerostart::runtime,
# ZEROSTART_ARCH and ZEROSTART_CLI. Usage: examples/cmake-function/README.md.

# zerostart_add_function(NAME SOURCES a.cc ... [LIBRARIES target ...])
# An executable NAME (C++20) linking zerostart::runtime and LIBRARIES, statically (-static: Lambda
# runs it as `bootstrap` with nothing from the host; provided.al2023 has glibc 2.34) and stripped
# in Release/MinSizeRel, as the functions in zerostart's own tree (zs_add_function).
function(zerostart_add_function name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES;LIBRARIES")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "zerostart_add_function(${name}): unexpected arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
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
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "zerostart_package(${name}): unexpected arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
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
