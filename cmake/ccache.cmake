# Every compile goes through ccache (Debian package ccache) when it is installed, so a tree that
# was built before on this machine — this clone or any other clone of the same sources — compiles
# only what changed. The cache lives outside the clone:
#   ZS_CCACHE_DIR, default ${ZS_USER_CACHE_DIR}/ccache (${XDG_CACHE_HOME:-$HOME/.cache}/zerostart)
# CCACHE_BASEDIR makes the paths ccache hashes relative to the source tree (clones in different
# folders share hits); CCACHE_NOHASHDIR keeps the working directory out of the hash of -g
# compiles (the ASan tree). Tests read their build's paths at run time (test_config.h), never
# from -D flags, for the same reason. -DZS_CCACHE=OFF turns it off; a launcher given on the
# command line (CMAKE_CXX_COMPILER_LAUNCHER) wins.
option(ZS_CCACHE "Compile through ccache when it is installed" ON)
if(NOT ZS_CCACHE OR CMAKE_CXX_COMPILER_LAUNCHER)
  return()
endif()
find_program(ZS_CCACHE_PROGRAM ccache)
find_program(ZS_ENV_PROGRAM env)
if(NOT ZS_CCACHE_PROGRAM OR NOT ZS_ENV_PROGRAM)
  message(STATUS "ccache not found: compiling without a cache (apt install ccache)")
  return()
endif()
set(ZS_CCACHE_DIR "${ZS_USER_CACHE_DIR}/ccache" CACHE PATH "ccache's directory (outside the clone)")
set(zs_launcher ${ZS_ENV_PROGRAM} CCACHE_DIR=${ZS_CCACHE_DIR} CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}
    CCACHE_NOHASHDIR=1 ${ZS_CCACHE_PROGRAM})
set(CMAKE_C_COMPILER_LAUNCHER ${zs_launcher})
set(CMAKE_CXX_COMPILER_LAUNCHER ${zs_launcher})
