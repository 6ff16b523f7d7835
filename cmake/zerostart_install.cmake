# `cmake --install BUILD --prefix PREFIX`: what users' own projects need to write functions
# (examples/cmake-function):
#   PREFIX/include/zerostart/*.h                 the public API (self-contained: only std headers)
#   PREFIX/lib/libzerostart_runtime.a, libzs_*.a  the runtime and the internal archives it links
#   PREFIX/lib/libzerostart_http_event.a         zerostart/http_event.h (optional: payload 2.0)
#   PREFIX/bin/zerostart                         the CLI (`zerostart package` makes the zip; `serve`)
#   PREFIX/lib/cmake/zerostart/                  zerostartConfig.cmake (+ Version, Targets, Functions)
#   PREFIX/lib/zerostart/java/                   the JNI bridge, when it is built (a JDK was found):
#                                                zerostart.jar, libzerostart_jni.so, and what
#                                                zerostart_add_java_function makes packages from
#                                                (bootstrap.sh.in, Dockerfile.in, the CDS script)
# find_package(zerostart) then gives zerostart::runtime, zerostart::http_event,
# zerostart_add_function(), zerostart_package(), zerostart_add_java_function() and
# zerostart_add_java_test() (cmake/zerostartFunctions.cmake). Nothing else is installed: no tests,
# benchmarks, emulator libraries or reference functions.
# Included from the top CMakeLists.txt after every component has been added.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ZS_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/zerostart)

# The architecture the archives are built for, in Lambda's spelling (x86_64 | arm64). The
# version file refuses the package to a project built for another one, so that an x86_64 and an
# arm64 install can both sit in CMAKE_PREFIX_PATH.
string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" zs_processor)
if(zs_processor MATCHES "^(x86_64|amd64)$")
  set(ZEROSTART_ARCH x86_64)
elseif(zs_processor MATCHES "^(aarch64|arm64)$")
  set(ZEROSTART_ARCH arm64)
else()
  set(ZEROSTART_ARCH ${zs_processor})
endif()

# zs_link_closure(TARGET OUT_VAR): TARGET and every library target of this project it links,
# transitively (imported targets such as Threads::Threads are left to the config file's
# find_dependency).
function(zs_link_closure target out_var)
  set(closure ${${out_var}})
  if(NOT target IN_LIST closure)
    list(APPEND closure ${target})
    get_target_property(deps ${target} LINK_LIBRARIES)
    foreach(dep IN LISTS deps)
      if(TARGET ${dep})
        get_target_property(imported ${dep} IMPORTED)
        if(NOT imported)
          zs_link_closure(${dep} closure)
        endif()
      endif()
    endforeach()
  endif()
  set(${out_var} ${closure} PARENT_SCOPE)
endfunction()

set(zs_runtime_closure "")
zs_link_closure(zerostart_runtime zs_runtime_closure)
zs_link_closure(zerostart_http_event zs_runtime_closure)

# zerostart::runtime is the target users name, and zerostart::http_event beside it for
# zerostart/http_event.h; the zs_* archives come with them (the linker needs them) but their
# headers stay private: include/zerostart/ includes none of them.
set_target_properties(zerostart_runtime PROPERTIES EXPORT_NAME runtime)
set_target_properties(zerostart_http_event PROPERTIES EXPORT_NAME http_event)
foreach(zs_public_target zerostart_runtime zerostart_http_event)
  target_include_directories(${zs_public_target} INTERFACE
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(${zs_public_target} INTERFACE cxx_std_20)
endforeach()

install(TARGETS ${zs_runtime_closure}
  EXPORT zerostartTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/zerostart
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
# The CLI is absent from builds that make only functions (a cross build for arm64); the
# functions file then looks for the host's `zerostart` (ZEROSTART_CLI).
if(TARGET zerostart)
  install(TARGETS zerostart RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

set(ZS_INSTALL_JAVADIR ${CMAKE_INSTALL_LIBDIR}/zerostart/java)
if(TARGET zerostart_jni)
  install(FILES ${ZS_JNI_JAR} ${PROJECT_SOURCE_DIR}/cmake/java/bootstrap.sh.in
                ${PROJECT_SOURCE_DIR}/cmake/java/Dockerfile.in
          DESTINATION ${ZS_INSTALL_JAVADIR})
  install(PROGRAMS ${PROJECT_SOURCE_DIR}/cmake/java/zerostart_java_cds_archive.sh
          DESTINATION ${ZS_INSTALL_JAVADIR})
  install(TARGETS zerostart_jni LIBRARY DESTINATION ${ZS_INSTALL_JAVADIR})
endif()

install(EXPORT zerostartTargets
  NAMESPACE zerostart::
  FILE zerostartTargets.cmake
  DESTINATION ${ZS_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/zerostartConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/zerostartConfig.cmake
  INSTALL_DESTINATION ${ZS_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_BINDIR ZS_INSTALL_JAVADIR)

# 0.x: a minor version may break the API, so only the same major.minor is compatible. The
# basic file checks the version and pointer size; the architecture check is appended.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/zerostartConfigVersionBasic.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
file(READ ${PROJECT_BINARY_DIR}/cmake/zerostartConfigVersionBasic.cmake zs_version_basic)
file(WRITE ${PROJECT_BINARY_DIR}/cmake/zerostartConfigVersion.cmake "${zs_version_basic}
# zerostart's archives are built for one architecture (${ZEROSTART_ARCH}); a project built for
# another one is refused, so find_package goes on to the next prefix.
string(TOLOWER \"\${CMAKE_SYSTEM_PROCESSOR}\" _zerostart_processor)
if(_zerostart_processor MATCHES \"^(x86_64|amd64)$\")
  set(_zerostart_processor x86_64)
elseif(_zerostart_processor MATCHES \"^(aarch64|arm64)$\")
  set(_zerostart_processor arm64)
endif()
if(NOT _zerostart_processor STREQUAL \"${ZEROSTART_ARCH}\")
  set(PACKAGE_VERSION \"\${PACKAGE_VERSION} (${ZEROSTART_ARCH})\")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
unset(_zerostart_processor)
")

install(FILES
    ${PROJECT_BINARY_DIR}/cmake/zerostartConfig.cmake
    ${PROJECT_BINARY_DIR}/cmake/zerostartConfigVersion.cmake
    ${PROJECT_SOURCE_DIR}/cmake/zerostartFunctions.cmake
  DESTINATION ${ZS_INSTALL_CMAKEDIR})
