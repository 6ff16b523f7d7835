package dev.zerostart.examples.kmeans;

import dev.zerostart.Lambda;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.math3.exception.ConvergenceException;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.random.MersenneTwister;

/**
 * The reference workload in Java (docs/WORKLOAD.md, "k-means"): Apache Commons Math
 * 3.6.1 {@code KMeansPlusPlusClusterer} as a Lambda function, served through zerostart's JNI
 * bridge with the loop of the system zerostart re-implements:
 * {@code start(); while (true) { readRequest(); compute; writeResponse(); }}.
 *
 * <p>The response has the C++ {@code kmeans} function's shape and text
 * (functions/kmeans/kmeans_function.h): {@code {"centers":[[..]..],"sizes":[..],"sse":..,
 * "iterations":..,"generateMs":..,"clusterMs":..,"threads":1}}, doubles as std::to_chars writes
 * them (JsonDoubles). For the same request, centers, sizes, sse and iterations are the same
 * text as the C++ function's; only the timings differ (and threads: Commons Math uses one).
 *
 * <p>Errors (errorType): "InvalidRequest", "RequestTooLarge" (over the JVM heap's budget),
 * "ConvergenceException" (a cluster emptied under the ERROR strategy; Commons Math's message),
 * and for anything unexpected the exception's class name, with its stack trace.
 */
public final class KMeansFunction {
  private KMeansFunction() {}

  public static void main(String[] args) {
    Lambda.start();
    long heap = Runtime.getRuntime().maxMemory();
    while (true) {
      String request = Lambda.readRequest();
      String response;
      try {
        response = handle(request, heap);
      } catch (KMeansRequest.KMeansException e) {
        Lambda.writeError(e.errorType, e.getMessage());
        continue;
      } catch (ConvergenceException e) {
        Lambda.writeError("ConvergenceException", e.getMessage());
        continue;
      } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
        Lambda.writeError(e);
        continue;
      }
      Lambda.writeResponse(response);
    }
  }

  /** Parse, cluster, format: the response for {@code payload}. */
  static String handle(String payload, long heapBytes) {
    KMeansRequest r = KMeansRequest.parse(payload, heapBytes);
    MersenneTwister rng = new MersenneTwister(r.seed);
    double generateMs = 0;
    double[][] coordinates = r.points;
    if (coordinates == null) {
      long start = System.nanoTime();
      coordinates = new double[r.n][];
      for (int i = 0; i < r.n; i++) {
        double[] p = new double[r.d];
        for (int j = 0; j < r.d; j++) {
          p[j] = rng.nextDouble();
        }
        coordinates[i] = p;
      }
      generateMs = (System.nanoTime() - start) / 1e6;
    }
    KMeansRequest.checkConvergencePossible(r, coordinates);
    List<DoublePoint> points = new ArrayList<>(coordinates.length);
    for (double[] p : coordinates) {
      points.add(new DoublePoint(p));
    }

    long start = System.nanoTime();
    PassCountingDistance distance =
        new PassCountingDistance(points.get(0).getPoint(), points.size(), r.k);
    KMeansPlusPlusClusterer<DoublePoint> clusterer =
        new KMeansPlusPlusClusterer<>(r.k, r.maxIterations, distance, rng, r.strategy);
    List<CentroidCluster<DoublePoint>> clusters = clusterer.cluster(points);
    double clusterMs = (System.nanoTime() - start) / 1e6;
    return format(clusters, distance.iterations(), generateMs, clusterMs);
  }

  static String format(List<CentroidCluster<DoublePoint>> clusters, int iterations,
      double generateMs, double clusterMs) {
    // sse: one running sum over the clusters, over their points in index order, dimension by
    // dimension (docs/WORKLOAD.md, "Response"; the C++ engine sums in the same order).
    double sse = 0.0;
    for (CentroidCluster<DoublePoint> cluster : clusters) {
      double[] center = cluster.getCenter().getPoint();
      for (DoublePoint p : cluster.getPoints()) {
        double[] x = p.getPoint();
        for (int i = 0; i < x.length; i++) {
          double dx = x[i] - center[i];
          sse += dx * dx;
        }
      }
    }
    StringBuilder out = new StringBuilder(64 + clusters.size() * 64);
    out.append("{\"centers\":[");
    for (int c = 0; c < clusters.size(); c++) {
      if (c > 0) {
        out.append(',');
      }
      out.append('[');
      double[] center = clusters.get(c).getCenter().getPoint();
      for (int j = 0; j < center.length; j++) {
        if (j > 0) {
          out.append(',');
        }
        JsonDoubles.append(out, center[j]);
      }
      out.append(']');
    }
    out.append("],\"sizes\":[");
    for (int c = 0; c < clusters.size(); c++) {
      if (c > 0) {
        out.append(',');
      }
      out.append(clusters.get(c).getPoints().size());
    }
    out.append("],\"sse\":");
    JsonDoubles.append(out, sse);
    out.append(",\"iterations\":").append(iterations);
    out.append(",\"generateMs\":");
    JsonDoubles.append(out, generateMs);
    out.append(",\"clusterMs\":");
    JsonDoubles.append(out, clusterMs);
    out.append(",\"threads\":1}");
    return out.toString();
  }
}
