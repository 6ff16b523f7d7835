package dev.zerostart;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
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
 * <p><b>Streaming.</b> Instead of {@code writeResponse}, a function may send its response while
 * it produces it: {@link #setResponseContentType(String)} (before the first byte), then
 * {@link #writeChunk(byte[])} (or {@link #responseStream()}) any number of times, each chunk
 * sent to Lambda before the call returns, then {@link #finishResponse()}. {@code writeError}
 * after the first byte ends the response with the error (the caller keeps the bytes sent and
 * then gets the error); before it, it is the invocation's error as usual.
 * {@link #serveStreaming(BiConsumer)} does all of it around a handler. Under go1.x, which
 * cannot stream, the chunks are collected and sent whole when the response ends.
 *
 * <pre>{@code
 * Lambda.serveStreaming((request, out) -> {
 *   for (int i = 0; i < 3; i++) {
 *     out.write(("tick " + i + "\n").getBytes(StandardCharsets.UTF_8));
 *   }
 * });
 * }</pre>
 *
 * <p><b>Protocol.</b> {@link #start()} picks it from the environment exactly as a C++ zerostart
 * function does: go1.x net/rpc on 127.0.0.1:$_LAMBDA_SERVER_PORT when that variable is set,
 * otherwise the Runtime API at $AWS_LAMBDA_RUNTIME_API.
 *
 * <p><b>Threads.</b> Every method may be called from any thread. In the classic model there is
 * one current invocation per process: {@link #readRequest()} makes one current, and exactly
 * one of {@code writeResponse}/{@code writeError} ends it, from the same or another thread. The
 * context accessors ({@link #requestId()}, ...) describe the current invocation.
 *
 * <p><b>Concurrency (Lambda Managed Instances).</b> When Lambda sets
 * {@code AWS_LAMBDA_MAX_CONCURRENCY} to M &gt; 1 (see {@link #maxConcurrency()}), one process
 * serves up to M invocations at once, as Lambda's own Java runtime does with M OS threads
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-runtimes.html):
 * {@link #serve(Function)} and {@link #serveStreaming(BiConsumer)} run their loop on M threads,
 * each with its own connection to Lambda, so <b>the handler must be thread-safe</b>. An
 * invocation then belongs to the thread whose {@code readRequest} returned it: that thread
 * answers it, streams it and reads its context ({@code requestId()}, {@code traceId()}, ...);
 * other threads see no current invocation. At most M threads may read or hold an invocation
 * at once. The system property {@link #TRACE_PROPERTY} is not set then (one process-wide value
 * cannot hold M trace ids): use {@link #traceId()}. Under go1.x, which has no Managed
 * Instances, the variable is ignored.
 *
 * <p><b>Misuse</b> throws {@link IllegalStateException} with a message naming the mistake, and
 * changes nothing: calling anything before {@code start()}, calling {@code start()} twice,
 * reading while an invocation is unanswered (or while another thread is blocked in
 * {@code readRequest}), answering when there is no current invocation (including answering
 * twice), {@code writeResponse} once chunks were written, setting the content type after the
 * first byte, reading the context between invocations. Null arguments throw
 * {@link NullPointerException}.
 *
 * <p><b>End.</b> When the Lambda side goes away (the Runtime API refuses {@code /next} after
 * bounded retries, or the go1.x server stops), {@code readRequest} ends the process with
 * {@code System.exit(1)}, the exit code of a C++ function in the same case (with M threads,
 * once the invocations other threads hold have been answered); if {@code start()} finds no
 * protocol in the environment, or a bad value in it, it exits with 78. A handler that never
 * returns is stopped by Lambda's timeout, as any function.
 *
 * <p><b>Training runs.</b> When the system property {@link #EXIT_AFTER_PROPERTY} is N &gt; 0,
 * the {@code readRequest} after N invocations ends the process with {@code System.exit(0)}
 * instead of waiting for another: a clean exit, at which the JVM writes what it was asked to
 * write then, such as a class-data-sharing archive ({@code -XX:ArchiveClassesAtExit}) of the
 * classes N real invocations loaded. N counts the invocations of every thread; with
 * {@link #maxConcurrency()} &gt; 1 the exit does not wait for those other threads still hold.
 * Not for serving: Lambda would see the runtime exit.
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

  /**
   * The system property N: {@code readRequest} exits the JVM cleanly once N invocations were
   * read (see the class comment, "Training runs"). Absent, empty or 0: never.
   */
  public static final String EXIT_AFTER_PROPERTY = "zerostart.exitAfterInvokes";

  private static final Object START_LOCK = new Object();
  private static final AtomicLong invocationsRead = new AtomicLong();
  private static volatile long exitAfterInvokes;
  private static volatile boolean started;
  private static volatile int maxConcurrency = 1;

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
      exitAfterInvokes = exitAfterInvokes();
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
      maxConcurrency = nativeMaxConcurrency();
      started = true;
    }
  }

  /**
   * How many invocations this process may serve at once: {@code AWS_LAMBDA_MAX_CONCURRENCY}
   * when Lambda sets it (Lambda Managed Instances), otherwise 1 (always 1 under go1.x). A loop
   * written with {@link #readRequest()} should run on this many threads.
   *
   * @throws IllegalStateException if {@link #start()} has not been called
   */
  public static int maxConcurrency() {
    checkStarted("maxConcurrency");
    return maxConcurrency;
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
    if (exitAfterInvokes > 0 && invocationsRead.get() >= exitAfterInvokes) {
      System.exit(0);
    }
    byte[] payload = nativeNext();
    if (payload == null) {
      System.exit(nativeExitCode());  // the reason is on stderr
      throw new IllegalStateException("readRequest: the Lambda runtime has ended");
    }
    invocationsRead.incrementAndGet();
    if (maxConcurrency == 1) {
      byte[] trace = nativeTraceId();
      if (trace.length == 0) {
        System.clearProperty(TRACE_PROPERTY);
      } else {
        System.setProperty(TRACE_PROPERTY, new String(trace, StandardCharsets.UTF_8));
      }
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
   * handler answered the invocation itself, its result is ignored; if it wrote chunks, its
   * result is ignored and the streamed response is finished. Calls {@link #start()}
   * first unless it was already called. With {@link #maxConcurrency()} M &gt; 1 the loop runs
   * on the calling thread and M - 1 more, and {@code handler} is called from all of them at
   * once. Returns only by ending the process (see the class comment).
   */
  public static void serve(Function<String, String> handler) {
    Objects.requireNonNull(handler, "handler");
    synchronized (START_LOCK) {
      if (!started) {
        start();
      }
    }
    onEveryWorker(() -> serveLoop(handler));
  }

  private static void serveLoop(Function<String, String> handler) {
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
        if (nativeIsStreaming()) {
          finishResponse();  // the handler wrote chunks: its result is not sent
        } else {
          writeResponse(response == null ? "null" : response);
        }
      }
    }
  }

  /**
   * Sets the content type of the current invocation's streamed response (default
   * application/octet-stream). It applies to the response written with {@link #writeChunk}, not
   * to {@code writeResponse} (always application/json).
   *
   * @throws IllegalStateException when there is no current invocation, or after the first byte
   */
  public static void setResponseContentType(String contentType) {
    Objects.requireNonNull(contentType, "contentType");
    checkStarted("setResponseContentType");
    nativeSetContentType(utf8(contentType));
  }

  /**
   * Sends {@code chunk} as the next piece of the current invocation's response, before
   * returning. An empty chunk sends nothing.
   *
   * @return true when sent; false when the response can no longer be delivered (the connection
   *     to Lambda broke: stop writing, and end the invocation with {@link #finishResponse()} or
   *     {@code writeError}, which then send nothing)
   * @throws IllegalStateException when there is no current invocation
   */
  public static boolean writeChunk(byte[] chunk) {
    Objects.requireNonNull(chunk, "chunk");
    return writeChunk(chunk, 0, chunk.length);
  }

  /**
   * As {@link #writeChunk(byte[])}, for {@code length} bytes of {@code chunk} from
   * {@code offset}.
   *
   * @throws IndexOutOfBoundsException if the range is not within {@code chunk}
   */
  public static boolean writeChunk(byte[] chunk, int offset, int length) {
    Objects.requireNonNull(chunk, "chunk");
    Objects.checkFromIndexSize(offset, length, chunk.length);
    checkStarted("writeChunk");
    return nativeWriteChunk(chunk, offset, length);
  }

  /**
   * Ends the current invocation's streamed response (an empty one when nothing was written). A
   * response Lambda refuses is logged on stderr and still ends the invocation.
   *
   * @throws IllegalStateException when there is no current invocation
   */
  public static void finishResponse() {
    checkStarted("finishResponse");
    nativeFinishResponse();
  }

  /**
   * An {@link OutputStream} over {@link #writeChunk(byte[], int, int)}: each {@code write} is one
   * chunk, sent at once (wrap it in a {@link java.io.BufferedOutputStream} to send fewer, larger
   * chunks; {@code flush} then sends what is buffered). A chunk that can no longer be delivered
   * throws {@link IOException}. {@code close()} only closes this stream: it does not end the
   * response (so that an exception thrown inside a try-with-resources block still reaches
   * {@code writeError}); end it with {@link #finishResponse()}.
   */
  public static OutputStream responseStream() {
    checkStarted("responseStream");
    return new ResponseOutputStream();
  }

  /**
   * Serves invocations forever with a streaming handler: it gets each payload and
   * {@link #responseStream()}; when it returns, the response is finished; a {@link Throwable}
   * it throws becomes a Lambda error ({@link #writeError(Throwable)}: trailers after the first
   * byte) and the loop goes on. If the handler ended the invocation itself, nothing more is
   * sent. Calls {@link #start()} first unless it was already called. With
   * {@link #maxConcurrency()} M &gt; 1 it runs on M threads, as {@link #serve(Function)} does.
   * Returns only by ending the process.
   */
  public static void serveStreaming(BiConsumer<String, OutputStream> handler) {
    Objects.requireNonNull(handler, "handler");
    synchronized (START_LOCK) {
      if (!started) {
        start();
      }
    }
    onEveryWorker(() -> serveStreamingLoop(handler));
  }

  private static void serveStreamingLoop(BiConsumer<String, OutputStream> handler) {
    while (true) {
      String request = readRequest();
      try {
        handler.accept(request, responseStream());
      } catch (Throwable t) {
        if (nativeHasInvocation()) {
          writeError(t);
        }
        continue;
      }
      if (nativeHasInvocation()) {
        finishResponse();
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

  /** {@link #responseStream()}: one chunk per write. */
  private static final class ResponseOutputStream extends OutputStream {
    private boolean closed;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (closed) {
        throw new IOException("zerostart: the response stream is closed");
      }
      if (len > 0 && !writeChunk(b, off, len)) {
        throw new IOException(
            "zerostart: the response can no longer be delivered to Lambda (the connection broke)");
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /**
   * Runs {@code loop} (which returns only by throwing) on the calling thread and on
   * {@link #maxConcurrency()} - 1 more. The extra threads are daemons: they never keep the JVM
   * alive by themselves. A loop that throws on one of them ends the process (after the usual
   * stack trace), as it would end {@code main} in the classic model, rather than leave the
   * environment serving fewer invocations at once than Lambda sends it.
   */
  private static void onEveryWorker(Runnable loop) {
    for (int i = 1; i < maxConcurrency; i++) {
      Thread worker = new Thread(loop, "zerostart-worker-" + i);
      worker.setDaemon(true);
      worker.setUncaughtExceptionHandler((thread, error) -> {
        System.err.print("Exception in thread \"" + thread.getName() + "\" ");
        error.printStackTrace();
        System.exit(1);
      });
      worker.start();
    }
    loop.run();
  }

  /** The value of {@link #EXIT_AFTER_PROPERTY}; a bad one ends the process with 78. */
  private static long exitAfterInvokes() {
    String value = System.getProperty(EXIT_AFTER_PROPERTY, "").strip();
    try {
      long n = value.isEmpty() ? 0 : Long.parseLong(value);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    System.err.println("zerostart: " + EXIT_AFTER_PROPERTY + "=" + value
        + " is not a count of invocations (0 or more)");
    System.exit(78);
    return 0;
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

  private static native int nativeMaxConcurrency();

  private static native void nativeRespond(byte[] payload);

  private static native void nativeReportError(byte[] type, byte[] message, byte[][] stack);

  private static native void nativeSetContentType(byte[] contentType);

  private static native boolean nativeWriteChunk(byte[] chunk, int offset, int length);

  private static native void nativeFinishResponse();

  private static native boolean nativeIsStreaming();

  private static native byte[] nativeRequestId();

  private static native byte[] nativeFunctionArn();

  private static native byte[] nativeTraceId();

  private static native long nativeRemainingTimeMillis();

  private static native boolean nativeHasInvocation();
}
