// KMeansOracle: runs the real Apache Commons Math 3.6.1 (Debian's commons-math3.jar) on
// commands read from stdin, one per line, and prints results with every double as the hex of
// its IEEE-754 bits, so that tests can compare the C++ engine bit for bit.
//
// Commands (whitespace-separated; <hex> = Long.toHexString(doubleToRawLongBits(x))):
//   ints <seed> <count>              -> "ints v..."     MersenneTwister(seed).nextInt() (= next(32))
//   doubles <seed> <count>           -> "doubles <hex>..."     nextDouble()
//   bounded <seed> <bound> <count>   -> "bounded v..."  nextInt(bound)
//   kmeans <name> <k> <maxIterations> <seed> <strategy> gen <n> <d>
//   kmeans <name> <k> <maxIterations> <seed> <strategy> points <n> <d> <hex>...
//       -> "<name> ok <iterations> <sse hex> <k sizes> <k*d center hex>"
//       or "<name> error <ExceptionSimpleName>"
//     As the workload does: rng = new MersenneTwister(seed); points drawn point after point
//     with nextDouble() (gen) or given; new KMeansPlusPlusClusterer(k, maxIterations,
//     EuclideanDistance, rng, strategy).cluster(points).
//   variance <hex>...                -> "variance <hex>"  new Variance() over the values, as
//                                       LARGEST_VARIANCE uses it (bias-corrected)
//   bench <n> <d> <k> <seed> <runs>  -> one "bench <generateMs> <clusterMs>" line per run
//
// Commons Math does not expose its iteration count. The oracle counts distance evaluations
// instead: a run limited to m passes is a prefix of the full run (same seed, same stream),
// and every pass evaluates n*k distances, so the count grows strictly with m until the run
// converges and stays constant after. The iteration count is the smallest m whose count equals
// the full run's (binary search).
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.math3.exception.MathIllegalArgumentException;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer.EmptyClusterStrategy;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.MersenneTwister;
import org.apache.commons.math3.stat.descriptive.moment.Variance;

public final class KMeansOracle {

  /** EuclideanDistance, unchanged, plus a count of its evaluations. */
  static final class CountingDistance extends EuclideanDistance {
    private static final long serialVersionUID = 1L;
    long calls;

    @Override
    public double compute(double[] a, double[] b) {
      calls++;
      return super.compute(a, b);
    }
  }

  static final class KMeansCase {
    String name;
    int k;
    int maxIterations;
    int seed;
    EmptyClusterStrategy strategy;
    int n;
    int d;
    List<DoublePoint> points;  // null: generate
  }

  static final class Run {
    List<CentroidCluster<DoublePoint>> clusters;
    RuntimeException error;
    long calls;
  }

  static String hex(double x) {
    return Long.toHexString(Double.doubleToRawLongBits(x));
  }

  static double unhex(String s) {
    return Double.longBitsToDouble(Long.parseUnsignedLong(s, 16));
  }

  static List<DoublePoint> generate(MersenneTwister rng, int n, int d) {
    List<DoublePoint> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double[] p = new double[d];
      for (int j = 0; j < d; j++) {
        p[j] = rng.nextDouble();
      }
      points.add(new DoublePoint(p));
    }
    return points;
  }

  static Run run(KMeansCase c, int maxIterations) {
    MersenneTwister rng = new MersenneTwister(c.seed);
    List<DoublePoint> points = c.points != null ? c.points : generate(rng, c.n, c.d);
    CountingDistance measure = new CountingDistance();
    KMeansPlusPlusClusterer<DoublePoint> clusterer =
        new KMeansPlusPlusClusterer<>(c.k, maxIterations, measure, rng, c.strategy);
    Run r = new Run();
    try {
      r.clusters = clusterer.cluster(points);
    } catch (MathIllegalStateException | MathIllegalArgumentException e) {
      r.error = e;  // ConvergenceException, NumberIsTooSmallException
    }
    r.calls = measure.calls;
    return r;
  }

  static int iterations(KMeansCase c, Run full) {
    if (c.maxIterations == 0) {
      return 0;
    }
    // calls(0) < full.calls: the full run made at least one pass.
    long lo = 0;
    long hi;
    if (c.maxIterations > 0) {
      hi = c.maxIterations;
    } else {
      hi = 1;
      while (run(c, (int) hi).calls != full.calls) {
        lo = hi;
        hi *= 2;
      }
    }
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (run(c, (int) mid).calls == full.calls) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return (int) hi;
  }

  static String kmeans(String[] t) {
    KMeansCase c = new KMeansCase();
    c.name = t[1];
    c.k = Integer.parseInt(t[2]);
    c.maxIterations = Integer.parseInt(t[3]);
    c.seed = Integer.parseInt(t[4]);
    c.strategy = EmptyClusterStrategy.valueOf(t[5]);
    c.n = Integer.parseInt(t[7]);
    c.d = Integer.parseInt(t[8]);
    if (t[6].equals("points")) {
      c.points = new ArrayList<>(c.n);
      int at = 9;
      for (int i = 0; i < c.n; i++) {
        double[] p = new double[c.d];
        for (int j = 0; j < c.d; j++) {
          p[j] = unhex(t[at++]);
        }
        c.points.add(new DoublePoint(p));
      }
    } else if (!t[6].equals("gen")) {
      throw new IllegalArgumentException("expected gen or points, got " + t[6]);
    }

    Run full = run(c, c.maxIterations);
    StringBuilder out = new StringBuilder(c.name);
    if (full.error != null) {
      return out.append(" error ").append(full.error.getClass().getSimpleName()).toString();
    }
    out.append(" ok ").append(iterations(c, full));
    double sse = 0.0;
    for (CentroidCluster<DoublePoint> cluster : full.clusters) {
      double[] center = cluster.getCenter().getPoint();
      for (DoublePoint p : cluster.getPoints()) {
        double[] x = p.getPoint();
        for (int i = 0; i < x.length; i++) {
          double dp = x[i] - center[i];
          sse += dp * dp;  // one running sum (docs/WORKLOAD.md's checked example is computed so)
        }
      }
    }
    out.append(' ').append(hex(sse));
    for (CentroidCluster<DoublePoint> cluster : full.clusters) {
      out.append(' ').append(cluster.getPoints().size());
    }
    for (CentroidCluster<DoublePoint> cluster : full.clusters) {
      for (double x : cluster.getCenter().getPoint()) {
        out.append(' ').append(hex(x));
      }
    }
    return out.toString();
  }

  static String bench(String[] t) {
    int n = Integer.parseInt(t[1]);
    int d = Integer.parseInt(t[2]);
    int k = Integer.parseInt(t[3]);
    int seed = Integer.parseInt(t[4]);
    int runs = Integer.parseInt(t[5]);
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      MersenneTwister rng = new MersenneTwister(seed);
      List<DoublePoint> points = generate(rng, n, d);
      long t1 = System.nanoTime();
      List<CentroidCluster<DoublePoint>> clusters =
          new KMeansPlusPlusClusterer<DoublePoint>(k, 100, new EuclideanDistance(), rng)
              .cluster(points);
      long t2 = System.nanoTime();
      if (r > 0) {
        out.append('\n');
      }
      out.append("bench ").append((t1 - t0) / 1e6).append(' ').append((t2 - t1) / 1e6)
          .append(' ').append(clusters.get(0).getPoints().size());
    }
    return out.toString();
  }

  static String variance(String[] t) {
    Variance stat = new Variance();
    for (int i = 1; i < t.length; i++) {
      stat.increment(unhex(t[i]));
    }
    return "variance " + hex(stat.getResult());
  }

  static String rng(String[] t) {
    MersenneTwister rng = new MersenneTwister(Integer.parseInt(t[1]));
    StringBuilder out = new StringBuilder(t[0]);
    switch (t[0]) {
      case "ints": {
        int count = Integer.parseInt(t[2]);
        for (int i = 0; i < count; i++) {
          out.append(' ').append(rng.nextInt());
        }
        break;
      }
      case "doubles": {
        int count = Integer.parseInt(t[2]);
        for (int i = 0; i < count; i++) {
          out.append(' ').append(hex(rng.nextDouble()));
        }
        break;
      }
      default: {  // bounded
        int bound = Integer.parseInt(t[2]);
        int count = Integer.parseInt(t[3]);
        for (int i = 0; i < count; i++) {
          out.append(' ').append(rng.nextInt(bound));
        }
        break;
      }
    }
    return out.toString();
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.US_ASCII);
    String line;
    while ((line = in.readLine()) != null) {
      line = line.trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] t = line.split("\\s+");
      switch (t[0]) {
        case "kmeans":
          out.println(kmeans(t));
          break;
        case "bench":
          out.println(bench(t));
          out.flush();
          break;
        case "variance":
          out.println(variance(t));
          break;
        case "ints":
        case "doubles":
        case "bounded":
          out.println(rng(t));
          break;
        default:
          throw new IllegalArgumentException("unknown command: " + t[0]);
      }
    }
    out.flush();
  }
}
