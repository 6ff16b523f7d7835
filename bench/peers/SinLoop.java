// SinLoop: the JVM side of the sin benchmark (docs/WORKLOAD.md, "sin"):
// x = Math.sin(x), ITERATIONS times from START, timed in one JVM: the first run (interpreter,
// then on-stack replacement) and RUNS more after it. Prints one JSON line:
//   {"iterations":N,"firstMs":..,"runsMs":[..],"medianMs":..,"xBits":"0x..."}
//   java SinLoop START ITERATIONS RUNS
import java.util.Arrays;

public final class SinLoop {
  private SinLoop() {}

  static double chain(double start, long iterations) {
    double x = start;
    for (long i = 0; i < iterations; i++) {
      x = Math.sin(x);
    }
    return x;
  }

  public static void main(String[] args) {
    double start = Double.parseDouble(args[0]);
    long iterations = Long.parseLong(args[1]);
    int runs = Integer.parseInt(args[2]);
    double[] ms = new double[runs + 1];
    double x = 0;
    for (int r = 0; r <= runs; r++) {
      long t0 = System.nanoTime();
      double y = chain(start, iterations);
      ms[r] = (System.nanoTime() - t0) / 1e6;
      if (r > 0 && Double.doubleToRawLongBits(y) != Double.doubleToRawLongBits(x)) {
        throw new IllegalStateException("runs disagree");
      }
      x = y;
    }
    double[] warm = Arrays.copyOfRange(ms, 1, ms.length);
    double[] sorted = warm.clone();
    Arrays.sort(sorted);
    StringBuilder out = new StringBuilder();
    out.append("{\"iterations\":").append(iterations)
        .append(",\"firstMs\":").append(ms[0])
        .append(",\"runsMs\":").append(Arrays.toString(warm))
        .append(",\"medianMs\":").append((sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2)
        .append(",\"xBits\":\"0x")
        .append(String.format("%016x", Double.doubleToRawLongBits(x)))
        .append("\"}");
    System.out.println(out);
  }
}
