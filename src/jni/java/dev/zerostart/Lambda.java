package dev.zerostart;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * A Lambda function's loop in Java over zerostart's native transport (libzerostart_jni.so):
 *
 * <pre>{@code
 * Lambda.start();
 * while (true) {
 *   String request = Lambda.readRequest();
 *   Lambda.writeResponse(compute(request));
 * }
 * }</pre>
 *
 * or, with exceptions turned into Lambda errors: {@code Lambda.serve(request -> compute(request))}.
 *
 * <p><b>Protocol.</b> {@link #start()} picks it from the environment exactly as a C++ zerostart
 * function does: go1.x net/rpc on 127.0.0.1:$_LAMBDA_SERVER_PORT when that variable is set,
 * otherwise the Runtime API at $AWS_LAMBDA_RUNTIME_API.
 *
 * <p><b>Threads.</b> Every method may be called from any thread. There is one current
 * invocation per process: {@link #readRequest()} makes one current, and exactly one of
 * {@code writeResponse}/{@code writeError} ends it, from the same or another thread. The
 * context accessors ({@link #requestId()}, ...) describe the current invocation.
 *
 * <p><b>Misuse</b> throws {@link IllegalStateException} with a message naming the mistake, and
 * changes nothing: calling anything before {@code start()}, calling {@code start()} twice,
 * reading while an invocation is unanswered (or while another thread is blocked in
 * {@code readRequest}), answering when there is no current invocation (including answering
 * twice), reading the context between invocations. Null arguments throw
 * {@link NullPointerException}.
 *
 * <p><b>End.</b> When the Lambda side goes away (the Runtime API refuses {@code /next} after
 * bounded retries, or the go1.x server stops), {@code readRequest} ends the process with
 * {@code System.exit(1)}, the exit code of a C++ function in the same case; if {@code start()}
 * finds no protocol in the environment it exits with 78. A handler that never returns is
 * stopped by Lambda's timeout, as any function.
 *
 * <p><b>Native library.</b> {@code start()} loads {@code libzerostart_jni.so}: from the absolute
 * path in the system property {@code zerostart.jni.library} when set, otherwise by
 * {@code System.loadLibrary("zerostart_jni")} from {@code java.library.path}.
 */
public final class Lambda {
  /** The system property that names the native library's absolute path. */
  public static final String LIBRARY_PROPERTY = "zerostart.jni.library";

  /** Where Lambda's Java runtime publishes the X-Ray trace header of the current invoke. */
  public static final String TRACE_PROPERTY = "com.amazonaws.xray.traceHeader";

  private static final Object START_LOCK = new Object();
  private static volatile boolean started;

  private Lambda() {}

  /**
   * Loads the native library and opens the transport. Call once, before anything else.
   *
   * @throws IllegalStateException if already called
   * @throws UnsatisfiedLinkError if the native library cannot be loaded
   */
  public static void start() {
    synchronized (START_LOCK) {
      if (started) {
        throw new IllegalStateException("start: Lambda.start() was already called");
      }
      String path = System.getProperty(LIBRARY_PROPERTY);
      if (path != null && !path.isEmpty()) {
        System.load(path);
      } else {
        System.loadLibrary("zerostart_jni");
      }
      int exitCode = nativeStart();
      if (exitCode != 0) {
        System.exit(exitCode);  // the reason is on stderr, as for a C++ function
      }
      started = true;
    }
  }

  /**
   * Blocks until the next invocation and returns its payload decoded as UTF-8.
   *
   * @throws IllegalStateException on misuse (see the class comment)
   */
  public static String readRequest() {
    return new String(readRequestBytes(), StandardCharsets.UTF_8);
  }

  /**
   * Blocks until the next invocation and returns its payload, byte for byte.
   *
   * @throws IllegalStateException on misuse (see the class comment)
   */
  public static byte[] readRequestBytes() {
    checkStarted("readRequest");
    byte[] payload = nativeNext();
    if (payload == null) {
      System.exit(nativeExitCode());  // the reason is on stderr
      throw new IllegalStateException("readRequest: the Lambda runtime has ended");
    }
    byte[] trace = nativeTraceId();
    if (trace.length == 0) {
      System.clearProperty(TRACE_PROPERTY);
    } else {
      System.setProperty(TRACE_PROPERTY, new String(trace, StandardCharsets.UTF_8));
    }
    return payload;
  }

  /**
   * Answers the current invocation with {@code response} encoded as UTF-8
   * (Content-Type application/json). A result Lambda refuses (over 6 MB) is logged on stderr
   * and still ends the invocation, as for a C++ function.
   *
   * @throws IllegalStateException when there is no current invocation
   */
  public static void writeResponse(String response) {
    Objects.requireNonNull(response, "response");
    writeResponse(response.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Answers the current invocation with {@code response}, byte for byte.
   *
   * @throws IllegalStateException when there is no current invocation
   */
  public static void writeResponse(byte[] response) {
    Objects.requireNonNull(response, "response");
    checkStarted("writeResponse");
    nativeRespond(response);
  }

  /**
   * Answers the current invocation with a Lambda error {errorType, errorMessage}.
   *
   * @throws IllegalStateException when there is no current invocation
   */
  public static void writeError(String errorType, String errorMessage) {
    writeError(errorType, errorMessage, new String[0]);
  }

  /** As {@link #writeError(String, String)}, with stack trace lines (outermost last). */
  public static void writeError(String errorType, String errorMessage, String[] stackTrace) {
    Objects.requireNonNull(errorType, "errorType");
    Objects.requireNonNull(errorMessage, "errorMessage");
    Objects.requireNonNull(stackTrace, "stackTrace");
    checkStarted("writeError");
    byte[][] frames = new byte[stackTrace.length][];
    for (int i = 0; i < frames.length; i++) {
      frames[i] = Objects.requireNonNull(stackTrace[i], "stackTrace element")
          .getBytes(StandardCharsets.UTF_8);
    }
    nativeReportError(utf8(errorType), utf8(errorMessage), frames);
  }

  /**
   * Answers the current invocation with {@code error} as a Lambda error: errorType = its class
   * name, errorMessage = its message ("" when null), stackTrace = its frames, then those of its
   * causes ("Caused by: ..." lines).
   *
   * @throws IllegalStateException when there is no current invocation
   */
  public static void writeError(Throwable error) {
    Objects.requireNonNull(error, "error");
    java.util.List<String> lines = new java.util.ArrayList<>();
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t != error) {
        lines.add("Caused by: " + t);
      }
      for (StackTraceElement frame : t.getStackTrace()) {
        lines.add(frame.toString());
      }
      if (lines.size() > 1000 || t.getCause() == t) {
        break;
      }
    }
    String message = error.getMessage();
    writeError(error.getClass().getName(), message == null ? "" : message,
        lines.toArray(new String[0]));
  }

  /**
   * Serves invocations forever: each payload goes to {@code handler}; its result is the
   * response ({@code null} is answered as the JSON {@code null}); a {@link Throwable} it throws
   * becomes a Lambda error (see {@link #writeError(Throwable)}) and the loop goes on. If the
   * handler answered the invocation itself, its result is ignored. Calls {@link #start()}
   * first unless it was already called. Returns only by ending the process (see the class
   * comment).
   */
  public static void serve(Function<String, String> handler) {
    Objects.requireNonNull(handler, "handler");
    synchronized (START_LOCK) {
      if (!started) {
        start();
      }
    }
    while (true) {
      String request = readRequest();
      String response;
      try {
        response = handler.apply(request);
      } catch (Throwable t) {
        if (nativeHasInvocation()) {
          writeError(t);
        }
        continue;
      }
      if (nativeHasInvocation()) {
        writeResponse(response == null ? "null" : response);
      }
    }
  }

  /**
   * The current invocation's request id.
   *
   * @throws IllegalStateException when there is no current invocation
   */
  public static String requestId() {
    checkStarted("requestId");
    return new String(nativeRequestId(), StandardCharsets.UTF_8);
  }

  /**
   * Milliseconds until the current invocation's deadline (negative once passed).
   *
   * @throws IllegalStateException when there is no current invocation
   */
  public static long remainingTimeMillis() {
    checkStarted("remainingTimeMillis");
    return nativeRemainingTimeMillis();
  }

  /**
   * The ARN the current invocation was invoked with (may carry a qualifier).
   *
   * @throws IllegalStateException when there is no current invocation
   */
  public static String functionArn() {
    checkStarted("functionArn");
    return new String(nativeFunctionArn(), StandardCharsets.UTF_8);
  }

  /**
   * The current invocation's X-Ray trace header ("" when none).
   *
   * @throws IllegalStateException when there is no current invocation
   */
  public static String traceId() {
    checkStarted("traceId");
    return new String(nativeTraceId(), StandardCharsets.UTF_8);
  }

  private static void checkStarted(String action) {
    if (!started) {
      throw new IllegalStateException(action + ": Lambda.start() has not been called");
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static native int nativeStart();

  private static native byte[] nativeNext();

  private static native int nativeExitCode();

  private static native void nativeRespond(byte[] payload);

  private static native void nativeReportError(byte[] type, byte[] message, byte[][] stack);

  private static native byte[] nativeRequestId();

  private static native byte[] nativeFunctionArn();

  private static native byte[] nativeTraceId();

  private static native long nativeRemainingTimeMillis();

  private static native boolean nativeHasInvocation();
}
