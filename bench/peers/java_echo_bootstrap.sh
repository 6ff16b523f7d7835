#!/bin/sh
# Lambda `bootstrap` for the JVM peer: runs bench/peers/JavaEcho (compiled by bench/CMakeLists.txt
# into <build>/bench/peers/classes) with `java` from PATH.
#   java_echo_bootstrap.sh CLASS_DIR [JVM_FLAG...]
# `exec` keeps the pid, so the emulator's Max Memory Used is the JVM's own.
if [ $# -lt 1 ] || [ ! -f "$1/JavaEcho.class" ]; then
  echo "java_echo_bootstrap: usage: $0 CLASS_DIR [JVM_FLAG...] (CLASS_DIR/JavaEcho.class)" >&2
  exit 1
fi
classes="$1"
shift
exec java "$@" -cp "$classes" JavaEcho
