// JniStreamingFunction: a streaming Java function for the bridge's end-to-end tests (tests/jni),
// run by `jni_test_bootstrap.sh LIB_DIR CLASS_DIR stream` under `zerostart serve`. It serves
// with Lambda.serveStreaming; the event is flat JSON, read by looking for its keys:
//   "content_type":"C"  setResponseContentType(C) before the first byte
//   "before":"throw"    throw IllegalArgumentException("jni streaming test: failure before any
//                       byte") before writing anything (the invocation's error)
//   "chunks":N          write N chunks (default 0), chunk i being TEXT followed by i, each in one
//   "text":"TEXT"       write to the response stream (TEXT defaults to "chunk ")
//   "gate":"PREFIX"     after writing chunk i, wait until the file PREFIX followed by i exists
//                       (tests hold the handler there until they have the chunk)
//   "after":"throw"     once the chunks are written, throw UnsupportedOperationException(
//                       "jni streaming test: ünïcödé failure after bytes")
// Otherwise the handler returns and serveStreaming finishes the response. Strings are taken
// as they are, up to the next quote (no escapes).
import dev.zerostart.Lambda;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

public final class JniStreamingFunction {
  private JniStreamingFunction() {}

  public static void main(String[] args) {
    Lambda.serveStreaming(JniStreamingFunction::handle);
  }

  /** The string value of `key` in `event`, or `otherwise` when absent. */
  static String string(String event, String key, String otherwise) {
    String marker = "\"" + key + "\":\"";
    int at = event.indexOf(marker);
    if (at < 0) {
      return otherwise;
    }
    int start = at + marker.length();
    return event.substring(start, event.indexOf('"', start));
  }

  /** The non-negative integer value of `key` in `event`, or 0 when absent. */
  static int number(String event, String key) {
    String marker = "\"" + key + "\":";
    int at = event.indexOf(marker);
    if (at < 0) {
      return 0;
    }
    int start = at + marker.length();
    int end = start;
    while (end < event.length() && Character.isDigit(event.charAt(end))) {
      end++;
    }
    return Integer.parseInt(event.substring(start, end));
  }

  static void handle(String event, OutputStream out) {
    String contentType = string(event, "content_type", null);
    if (contentType != null) {
      Lambda.setResponseContentType(contentType);
    }
    if (string(event, "before", "").equals("throw")) {
      throw new IllegalArgumentException("jni streaming test: failure before any byte");
    }
    String text = string(event, "text", "chunk ");
    String gate = string(event, "gate", null);
    int chunks = number(event, "chunks");
    try {
      for (int i = 0; i < chunks; i++) {
        out.write((text + i).getBytes(StandardCharsets.UTF_8));
        if (gate != null) {
          waitFor(Paths.get(gate + i));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (string(event, "after", "").equals("throw")) {
      throw new UnsupportedOperationException("jni streaming test: ünïcödé failure after bytes");
    }
  }

  /** Returns once `file` exists, looking every millisecond (the invoke's timeout bounds it). */
  static void waitFor(Path file) {
    while (!Files.exists(file)) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
