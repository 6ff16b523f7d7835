package dev.zerostart.examples.sin;

import dev.zerostart.Lambda;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The sin workload in Java (docs/WORKLOAD.md, "sin"), served through
 * zerostart's JNI bridge: {@code x = Math.sin(x)}, {@code iterations} times from {@code start},
 * the JVM side of the C++ {@code sin} function (functions/sin) for {@code zerostart bench}.
 *
 * <p>Request: {@code {"iterations":N,"start":X}}, both optional (defaults 10,000,000 and 1.0, as
 * the C++ function's). Response: {@code {"iterations":N,"x":..,"ms":..}}. Errors (errorType):
 * "InvalidRequest" for a request that is not a JSON object or has out-of-range fields.
 */
public final class SinFunction {
  static final long DEFAULT_ITERATIONS = 10_000_000L;
  static final long MAX_ITERATIONS = 10_000_000_000L;

  private SinFunction() {}

  public static void main(String[] args) {
    Lambda.start();
    while (true) {
      String request = Lambda.readRequest();
      String response;
      try {
        response = handle(request);
      } catch (IllegalArgumentException e) {
        Lambda.writeError("InvalidRequest", e.getMessage());
        continue;
      } catch (JSONException e) {
        Lambda.writeError("InvalidRequest", "the request is not a valid JSON object: " + e.getMessage());
        continue;
      }
      Lambda.writeResponse(response);
    }
  }

  static double chain(double start, long iterations) {
    double x = start;
    for (long i = 0; i < iterations; i++) {
      x = Math.sin(x);
    }
    return x;
  }

  static String handle(String payload) throws JSONException {
    long iterations = DEFAULT_ITERATIONS;
    double start = 1.0;
    if (!payload.isBlank()) {
      JSONObject json = new JSONObject(payload);
      if (json.has("iterations")) {
        iterations = json.getLong("iterations");
      }
      if (json.has("start")) {
        start = json.getDouble("start");
      }
    }
    if (iterations < 0 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("iterations must be an integer in [0, " + MAX_ITERATIONS + "]");
    }
    if (!Double.isFinite(start)) {
      throw new IllegalArgumentException("start must be finite");
    }
    long t0 = System.nanoTime();
    double x = chain(start, iterations);
    double ms = (System.nanoTime() - t0) / 1e6;
    return "{\"iterations\":" + iterations + ",\"x\":" + x + ",\"ms\":" + ms + "}";
  }
}
