package dev.zerostart.examples.kmeans;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer.EmptyClusterStrategy;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.json.JSONTokener;

/**
 * The k-means request (docs/WORKLOAD.md, "k-means"), validated as the C++ function
 * validates it (functions/kmeans/kmeans_request.h): every field optional; integer fields take
 * JSON integers or integral numbers; seed is narrowed to 32 bits as Java's (int) cast; with
 * "points", n and d come from the data (a given "n"/"d" must agree). A failure is an
 * {@link InvalidRequest} ("InvalidRequest") or, for sizes over the memory budget, a
 * {@link TooLarge} ("RequestTooLarge").
 */
final class KMeansRequest {
  int n = 1000;
  int d = 2;
  int k = 4;
  int maxIterations = 100;
  int seed = 42;
  EmptyClusterStrategy strategy = EmptyClusterStrategy.LARGEST_VARIANCE;
  double[][] points;  // null: generate n points of d dimensions

  /** A Lambda error with its errorType. */
  static class KMeansException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String errorType;

    KMeansException(String errorType, String message) {
      super(message);
      this.errorType = errorType;
    }
  }

  static final class InvalidRequest extends KMeansException {
    private static final long serialVersionUID = 1L;

    InvalidRequest(String message) {
      super("InvalidRequest", message);
    }
  }

  static final class TooLarge extends KMeansException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message) {
      super("RequestTooLarge", message);
    }
  }

  private static final long MIB = 1L << 20;
  // Left to the JVM inside its heap: the request and response text, org.json's tree, classes.
  private static final long RESERVE_BYTES = 16 * MIB;

  /**
   * Heap bytes a run needs for n points of d dimensions: per point a DoublePoint with its
   * double[] (about 8d + 40 bytes with headers), the references in the point list, the
   * seeding copy and two generations of cluster lists (32), seeding's minDistSquared and
   * taken[] and the assignments (13).
   */
  static long estimateBytes(long n, long d, long k) {
    double perPoint = 8.0 * d + 40 + 32 + 13;
    double total = n * perPoint + k * (8.0 * d + 200) + 64 * 1024;
    return total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) total;
  }

  static KMeansRequest parse(String payload, long heapBytes) {
    KMeansRequest r = new KMeansRequest();
    JSONObject json;
    if (payload.trim().isEmpty()) {
      json = new JSONObject();
    } else {
      Object value;
      try {
        JSONTokener tokener = new JSONTokener(payload);
        value = tokener.nextValue();
        if (tokener.nextClean() != '\0') {
          throw new InvalidRequest("the request is not valid JSON: trailing characters");
        }
      } catch (JSONException e) {
        throw new InvalidRequest("the request is not valid JSON: " + e.getMessage());
      }
      if (!(value instanceof JSONObject)) {
        throw new InvalidRequest("the request must be a JSON object");
      }
      json = (JSONObject) value;
    }
    long k = integer(json, "k", r.k, 1, Integer.MAX_VALUE);
    long maxIterations =
        integer(json, "maxIterations", r.maxIterations, Integer.MIN_VALUE, Integer.MAX_VALUE);
    long seed = integer(json, "seed", r.seed, Long.MIN_VALUE, Long.MAX_VALUE);
    r.strategy = strategy(json);
    long n = integer(json, "n", r.n, 0, Integer.MAX_VALUE);
    long d = integer(json, "d", r.d, 1, Integer.MAX_VALUE);
    r.k = (int) k;
    r.maxIterations = (int) maxIterations;
    r.seed = (int) seed;  // Java's (int) cast of a long: the low 32 bits

    long budget = Math.max(0, heapBytes - RESERVE_BYTES);
    if (json.has("points")) {
      r.points = points(json.opt("points"));
      if (json.has("n") && n != r.points.length) {
        throw new InvalidRequest(
            "n is " + n + " but " + r.points.length + " points are given");
      }
      if (json.has("d") && d != r.points[0].length) {
        throw new InvalidRequest(
            "d is " + d + " but the points have " + r.points[0].length + " coordinates");
      }
      n = r.points.length;
      d = r.points[0].length;
    }
    if (n < k) {
      throw new InvalidRequest("n (" + n + ") must be at least k (" + k + ")");
    }
    long needed = estimateBytes(n, d, k);
    if (needed > budget) {
      throw new TooLarge("n=" + n + ", d=" + d + ", k=" + k + " needs about "
          + (needed + MIB - 1) / MIB + " MiB; the budget is " + budget / MIB
          + " MiB of the JVM's " + heapBytes / MIB + " MiB heap");
    }
    r.n = (int) n;
    r.d = (int) d;
    return r;
  }

  /**
   * Refuses what Commons Math would spin on: k above the distinct points with no pass limit
   * (every pass then meets an empty cluster and never converges), as the C++ function does.
   */
  static void checkConvergencePossible(KMeansRequest r, double[][] points) {
    if (r.maxIterations >= 0 || r.strategy == EmptyClusterStrategy.ERROR || r.k <= 1) {
      return;
    }
    Set<List<Long>> seen = new HashSet<>();
    for (int i = 0; i < points.length && seen.size() < r.k; i++) {
      List<Long> key = new ArrayList<>(points[i].length);
      for (double x : points[i]) {
        key.add(Double.doubleToLongBits(x + 0.0));  // -0.0 equals 0.0
      }
      seen.add(key);
    }
    int distinct = seen.size();
    if (distinct >= r.k) {
      return;
    }
    throw new InvalidRequest("k = " + r.k + " exceeds the " + distinct
        + " distinct point(s): at least " + (r.k - distinct)
        + " cluster(s) stay empty after every pass, so k-means never converges and Commons Math "
        + "would run 2147483647 passes with maxIterations < 0; give maxIterations >= 0 (the "
        + "result is then Commons Math's after that many passes) or a smaller k");
  }

  private static long integer(JSONObject json, String name, long fallback, long min, long max) {
    if (!json.has(name)) {
      return fallback;
    }
    Object v = json.opt(name);
    String range = name + " must be an integer in [" + min + ", " + max + "]";
    long value;
    if (v instanceof Integer || v instanceof Long) {
      value = ((Number) v).longValue();
    } else if (v instanceof Double) {
      double x = (Double) v;
      // 2^63 is the first double past long; integral doubles below it convert exactly.
      if (!(Math.rint(x) == x && x >= -0x1p63 && x < 0x1p63)) {
        throw new InvalidRequest(range + ", got " + x);
      }
      value = (long) x;
    } else {
      throw new InvalidRequest(name + " must be an integer");
    }
    if (value < min || value > max) {
      throw new InvalidRequest(range + ", got " + value);
    }
    return value;
  }

  private static EmptyClusterStrategy strategy(JSONObject json) {
    String expected = "emptyClusterStrategy must be one of LARGEST_VARIANCE, "
        + "LARGEST_POINTS_NUMBER, FARTHEST_POINT, ERROR";
    if (!json.has("emptyClusterStrategy")) {
      return EmptyClusterStrategy.LARGEST_VARIANCE;
    }
    Object v = json.opt("emptyClusterStrategy");
    if (!(v instanceof String)) {
      throw new InvalidRequest(expected);
    }
    for (EmptyClusterStrategy s : EmptyClusterStrategy.values()) {
      if (s.name().equals(v)) {
        return s;
      }
    }
    throw new InvalidRequest(expected + ", got \"" + v + "\"");
  }

  private static double[][] points(Object value) {
    if (!(value instanceof JSONArray)) {
      throw new InvalidRequest("points must be an array of points");
    }
    JSONArray array = (JSONArray) value;
    if (array.length() == 0) {
      throw new InvalidRequest("points must hold at least one point");
    }
    double[][] points = new double[array.length()][];
    for (int i = 0; i < points.length; i++) {
      Object row = array.opt(i);
      if (!(row instanceof JSONArray)) {
        throw new InvalidRequest("points must be an array of points, each an array of numbers "
            + "(points[" + i + "])");
      }
      JSONArray coordinates = (JSONArray) row;
      if (coordinates.length() == 0) {
        throw new InvalidRequest("points[" + i + "] is empty");
      }
      if (i > 0 && coordinates.length() != points[0].length) {
        throw new InvalidRequest("points are ragged: points[" + i + "] has "
            + coordinates.length() + " coordinates, points[0] has " + points[0].length);
      }
      double[] p = new double[coordinates.length()];
      for (int j = 0; j < p.length; j++) {
        Object x = coordinates.opt(j);
        if (!(x instanceof Number)) {
          throw new InvalidRequest("points[" + i + "][" + j + "] must be a number");
        }
        p[j] = ((Number) x).doubleValue();
        if (!Double.isFinite(p[j])) {
          throw new InvalidRequest("points[" + i + "][" + j + "] is not a finite number: NaN and "
              + "infinite coordinates (and numbers beyond the double range) are refused, as "
              + "Commons Math would return meaningless clusters");
        }
      }
      points[i] = p;
    }
    return points;
  }
}
