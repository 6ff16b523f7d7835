// JniEcho: the bridge's overhead yardstick (bench/run_jni_bench.sh). The bridge's loop
// (start, readRequest, writeResponse), bytes in and bytes out, nothing else: the Java twin of functions/echo.
import dev.zerostart.Lambda;

public final class JniEcho {
  private JniEcho() {}

  public static void main(String[] args) {
    Lambda.start();
    while (true) {
      Lambda.writeResponse(Lambda.readRequestBytes());
    }
  }
}
