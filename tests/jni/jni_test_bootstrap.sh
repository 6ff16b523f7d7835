#!/bin/sh
# Lambda `bootstrap` for the bridge's test functions (tests/jni/java):
#   jni_test_bootstrap.sh LIB_DIR CLASS_DIR serve|misuse|stream
# serve and misuse run JniTestFunction in that mode, stream runs JniStreamingFunction.
# LIB_DIR holds zerostart.jar and libzerostart_jni.so. The JVM flags are the java-kmeans
# example's (cmake/java/bootstrap.sh.in), then JNI_TEST_JAVA_OPTS (e.g. a small young
# generation for the leak test); `exec` keeps the pid for RSS readings.
case "$#:$3" in
  3:serve | 3:misuse) main="JniTestFunction $3" ;;
  3:stream) main=JniStreamingFunction ;;
  *)
    echo "jni_test_bootstrap: usage: $0 LIB_DIR CLASS_DIR serve|misuse|stream" >&2
    exit 64
    ;;
esac
memory_mb="${AWS_LAMBDA_FUNCTION_MEMORY_SIZE:-128}"
exec java -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData "-Xmx$((memory_mb * 85 / 100))m" \
  $JNI_TEST_JAVA_OPTS \
  "-Dzerostart.jni.library=$1/libzerostart_jni.so" -cp "$2:$1/zerostart.jar" \
  $main
