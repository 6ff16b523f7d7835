// JniTestFunction: a Java function for the bridge's end-to-end tests (tests/jni), run by
// jni_test_bootstrap.sh under `zerostart serve`.
//
//   JniTestFunction serve    Lambda.serve(handler); the event's "action" picks the behaviour:
//     "echo" (default; also non-JSON events)  the payload back
//     "throw"      throw IllegalArgumentException("jni test: ünïcödé failure") from nested
//                  frames (the error must carry the class, the message and the frames)
//     "sleep_ms"   sleep "ms" milliseconds, then echo
//     "halt"       Runtime.getRuntime().halt(3) in the middle of the invoke (a crash)
//     "exit"       System.exit(4) in the middle of the invoke
//     "context"    {"requestId","functionArn","traceId","remainingTimeMillis"}
//     "rendezvous" wait (30 s at most) until "count" invocations are inside the handler at
//                  once (AWS_LAMBDA_MAX_CONCURRENCY), then, when the event names a "hold" file,
//                  until that file exists (30 s at most), then {"met","requestId","traceId",
//                  "traceProperty","maxConcurrency","thread"}
//   JniTestFunction misuse   the raw loop, checking every misuse of the API (each must throw
//     the expected exception, never crash the JVM). Answers:
//     "misuse"        {"checks":N,"failures":[...]} for the checks before start(), start()
//                     twice, reading before answering, null arguments, another thread
//     "misuse_after"  the same for the checks made after the previous answer (answering twice,
//                     the context between invocations); then echo for anything else.
import dev.zerostart.Lambda;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

public final class JniTestFunction {
  private JniTestFunction() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("serve")) {
      Lambda.serve(JniTestFunction::handle);
    } else if (args.length == 1 && args[0].equals("misuse")) {
      misuse();
    } else {
      System.err.println("usage: JniTestFunction serve|misuse");
      System.exit(64);
    }
  }

  static String action(String event) {
    String action = text(event, "action");
    return action == null ? "echo" : action;
  }

  /** The string value of `key` (without escapes), or null when the event has none. */
  static String text(String event, String key) {
    String field = "\"" + key + "\":\"";
    int at = event.indexOf(field);
    if (at < 0) {
      return null;
    }
    int start = at + field.length();
    return event.substring(start, event.indexOf('"', start));
  }

  static long number(String event, String key) {
    int at = event.indexOf("\"" + key + "\":");
    if (at < 0) {
      return 0;
    }
    int start = at + key.length() + 3;
    int end = start;
    while (end < event.length() && Character.isDigit(event.charAt(end))) {
      end++;
    }
    return Long.parseLong(event.substring(start, end));
  }

  static String handle(String event) {
    switch (action(event)) {
      case "throw":
        return nested(3);
      case "sleep_ms":
        try {
          Thread.sleep(number(event, "ms"));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return event;
      case "halt":
        Runtime.getRuntime().halt(3);
        return event;
      case "exit":
        System.exit(4);
        return event;
      case "context":
        return "{\"requestId\":\"" + Lambda.requestId() + "\",\"functionArn\":\""
            + Lambda.functionArn() + "\",\"traceId\":\"" + Lambda.traceId()
            + "\",\"remainingTimeMillis\":" + Lambda.remainingTimeMillis() + "}";
      case "rendezvous":
        boolean met = rendezvous(number(event, "count"));
        String hold = text(event, "hold");
        if (hold != null) {
          waitForFile(hold);
        }
        String property = System.getProperty(Lambda.TRACE_PROPERTY);
        return "{\"met\":" + met + ",\"requestId\":\"" + Lambda.requestId()
            + "\",\"traceId\":\"" + Lambda.traceId() + "\",\"traceProperty\":"
            + (property == null ? "null" : "\"" + property + "\"") + ",\"maxConcurrency\":"
            + Lambda.maxConcurrency() + ",\"thread\":\"" + Thread.currentThread().getName()
            + "\"}";
      default:
        return event;
    }
  }

  private static final Object MEETING = new Object();
  private static int inside;

  /** True once `count` invocations are inside at once; false after 30 s. */
  static boolean rendezvous(long count) {
    synchronized (MEETING) {
      inside++;
      MEETING.notifyAll();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (inside < count) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return false;
        }
        try {
          MEETING.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /** Returns once `path` exists, or after 30 s (checked every millisecond). */
  static void waitForFile(String path) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!Files.exists(Paths.get(path)) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static String nested(int depth) {
    if (depth == 0) {
      throw new IllegalArgumentException("jni test: ünïcödé failure");
    }
    return nested(depth - 1);
  }

  // ---- misuse ----

  interface Call {
    void run() throws Exception;
  }

  static final List<String> failures = new ArrayList<>();
  static int checks;

  /** Runs `call`, which must throw `expected` with a message containing `text`. */
  static void expect(String name, Class<? extends Throwable> expected, String text, Call call) {
    checks++;
    try {
      call.run();
      failures.add(name + ": no exception");
    } catch (Throwable t) {
      if (!expected.isInstance(t)) {
        failures.add(name + ": " + t);
      } else if (text != null && (t.getMessage() == null || !t.getMessage().contains(text))) {
        failures.add(name + ": message \"" + t.getMessage() + "\"");
      }
    }
  }

  static String report() {
    StringBuilder out = new StringBuilder("{\"checks\":").append(checks).append(",\"failures\":[");
    for (int i = 0; i < failures.size(); i++) {
      out.append(i > 0 ? "," : "").append('"')
          .append(failures.get(i).replace("\\", "\\\\").replace("\"", "'")).append('"');
    }
    failures.clear();
    checks = 0;
    return out.append("]}").toString();
  }

  static void misuse() throws Exception {
    String notStarted = "start() has not been called";
    expect("readRequest before start", IllegalStateException.class, notStarted,
        Lambda::readRequest);
    expect("readRequestBytes before start", IllegalStateException.class, notStarted,
        Lambda::readRequestBytes);
    expect("writeResponse before start", IllegalStateException.class, notStarted,
        () -> Lambda.writeResponse("x"));
    expect("writeResponse(bytes) before start", IllegalStateException.class, notStarted,
        () -> Lambda.writeResponse(new byte[1]));
    expect("writeError before start", IllegalStateException.class, notStarted,
        () -> Lambda.writeError("T", "m"));
    expect("requestId before start", IllegalStateException.class, notStarted, Lambda::requestId);
    expect("remainingTimeMillis before start", IllegalStateException.class, notStarted,
        Lambda::remainingTimeMillis);
    expect("functionArn before start", IllegalStateException.class, notStarted,
        Lambda::functionArn);
    expect("traceId before start", IllegalStateException.class, notStarted, Lambda::traceId);

    Lambda.start();
    expect("start twice", IllegalStateException.class, "already called", Lambda::start);
    expect("writeResponse before any read", IllegalStateException.class, "no current invocation",
        () -> Lambda.writeResponse("x"));
    expect("requestId before any read", IllegalStateException.class, "no current invocation",
        Lambda::requestId);

    while (true) {
      String event = Lambda.readRequest();
      String action = action(event);
      if (action.equals("misuse")) {
        expect("readRequest before answering", IllegalStateException.class, "not been answered",
            Lambda::readRequest);
        expect("writeResponse(null String)", NullPointerException.class, null,
            () -> Lambda.writeResponse((String) null));
        expect("writeResponse(null bytes)", NullPointerException.class, null,
            () -> Lambda.writeResponse((byte[]) null));
        expect("writeError(null, m)", NullPointerException.class, null,
            () -> Lambda.writeError(null, "m"));
        expect("writeError(t, null)", NullPointerException.class, null,
            () -> Lambda.writeError("T", null));
        checks++;
        if (Lambda.requestId().isEmpty() || Lambda.remainingTimeMillis() <= 0) {
          failures.add("context during the invocation: empty request id or no time left");
        }
        // Another thread sees the same rules: it cannot read while this invocation is open.
        AtomicReference<Throwable> other = new AtomicReference<>();
        Thread thread = new Thread(() -> {
          try {
            Lambda.readRequest();
          } catch (Throwable t) {
            other.set(t);
          }
        });
        thread.start();
        thread.join();
        checks++;
        if (!(other.get() instanceof IllegalStateException)) {
          failures.add("readRequest from another thread: " + other.get());
        }
        Lambda.writeResponse(report());
        expect("writeResponse twice", IllegalStateException.class, "no current invocation",
            () -> Lambda.writeResponse("again"));
        expect("writeError after answering", IllegalStateException.class,
            "no current invocation", () -> Lambda.writeError("T", "m"));
        expect("requestId after answering", IllegalStateException.class, "no current invocation",
            Lambda::requestId);
        expect("remainingTimeMillis after answering", IllegalStateException.class,
            "no current invocation", Lambda::remainingTimeMillis);
      } else if (action.equals("misuse_after")) {
        Lambda.writeResponse(report());
      } else {
        Lambda.writeResponse(event);
      }
    }
  }
}
