// KMeansBench: the JVM side of the k-means benchmark. Apache Commons Math 3.6.1 (Debian's
// commons-math3.jar), exactly the workload of docs/WORKLOAD.md ("k-means"): one
// MersenneTwister(seed) draws n points of d coordinates, then seeds
// KMeansPlusPlusClusterer(k, MAX_ITERATIONS, EuclideanDistance, rng) (MAX_ITERATIONS defaults to
// 100, the zerostart function's default). Only cluster() is timed, as the function's clusterMs;
// point generation is timed apart (generateMs of the last run).
//
//   java -cp classes:commons-math3.jar KMeansBench N D K SEED WARMUPS RUNS [MAX_ITERATIONS]
// runs WARMUPS + RUNS times in one JVM and prints one JSON line:
//   {"n":..,"d":..,"k":..,"seed":..,"maxIterations":..,"generateMs":..,"firstMs":..,"warmupMs":[..],"runsMs":[..],"medianMs":..,
//    "sizes":[..],"sseBits":"0x..","centerBits":["0x..",..]}
// sse is summed as the function sums it: over clusters, their points in order, dimensions in
// order, one running sum (tests/oracle/KMeansOracle.java does the same).
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.MersenneTwister;

public final class KMeansBench {
  private KMeansBench() {}

  static String bits(double x) {
    return String.format("\"0x%016x\"", Double.doubleToRawLongBits(x));
  }

  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    int d = Integer.parseInt(args[1]);
    int k = Integer.parseInt(args[2]);
    int seed = Integer.parseInt(args[3]);
    int warmups = Integer.parseInt(args[4]);
    int runs = Integer.parseInt(args[5]);
    int maxIterations = args.length > 6 ? Integer.parseInt(args[6]) : 100;
    double generateMs = 0;
    double[] ms = new double[warmups + runs];
    List<CentroidCluster<DoublePoint>> clusters = null;
    for (int r = 0; r < ms.length; r++) {
      long g0 = System.nanoTime();
      MersenneTwister rng = new MersenneTwister(seed);
      List<DoublePoint> points = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        double[] p = new double[d];
        for (int j = 0; j < d; j++) {
          p[j] = rng.nextDouble();
        }
        points.add(new DoublePoint(p));
      }
      long t0 = System.nanoTime();
      generateMs = (t0 - g0) / 1e6;
      clusters = new KMeansPlusPlusClusterer<DoublePoint>(k, maxIterations,
          new EuclideanDistance(), rng)
          .cluster(points);
      ms[r] = (System.nanoTime() - t0) / 1e6;
    }
    double sse = 0.0;
    StringBuilder sizes = new StringBuilder();
    StringBuilder centers = new StringBuilder();
    for (CentroidCluster<DoublePoint> cluster : clusters) {
      double[] center = cluster.getCenter().getPoint();
      for (DoublePoint p : cluster.getPoints()) {
        double[] x = p.getPoint();
        for (int i = 0; i < x.length; i++) {
          double dp = x[i] - center[i];
          sse += dp * dp;
        }
      }
      sizes.append(sizes.length() == 0 ? "" : ",").append(cluster.getPoints().size());
      for (double c : center) {
        centers.append(centers.length() == 0 ? "" : ",").append(bits(c));
      }
    }
    double[] warm = Arrays.copyOfRange(ms, warmups, ms.length);
    double[] sorted = warm.clone();
    Arrays.sort(sorted);
    StringBuilder out = new StringBuilder();
    out.append("{\"n\":").append(n).append(",\"d\":").append(d).append(",\"k\":").append(k)
        .append(",\"seed\":").append(seed)
        .append(",\"maxIterations\":").append(maxIterations)
        .append(",\"generateMs\":").append(generateMs)
        .append(",\"firstMs\":").append(ms[0])
        .append(",\"warmupMs\":").append(Arrays.toString(Arrays.copyOfRange(ms, 0, warmups)))
        .append(",\"runsMs\":").append(Arrays.toString(warm))
        .append(",\"medianMs\":").append((sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2)
        .append(",\"sizes\":[").append(sizes).append(']')
        .append(",\"sseBits\":").append(bits(sse))
        .append(",\"centerBits\":[").append(centers).append("]}");
    System.out.println(out);
  }
}
