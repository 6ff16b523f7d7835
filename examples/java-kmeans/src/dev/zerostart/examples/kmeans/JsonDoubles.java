package dev.zerostart.examples.kmeans;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Doubles in JSON exactly as the C++ k-means function writes them
 * (functions/kmeans/kmeans_function.h, AppendJsonDouble): C++17 {@code std::to_chars(double)}
 * with no format, i.e. the shortest digits that parse back to the same double (the closest
 * such digits when several qualify, ties to even), printed in fixed or scientific notation,
 * whichever is shorter (fixed on a tie), scientific as printf's {@code %e} writes it
 * ({@code 1e-05}, {@code 1.5e+20}); then ".0" when the text has neither '.' nor 'e'. NaN and the
 * infinities are the strings "NaN", "Infinity", "-Infinity".
 *
 * <p>Why not {@link Double#toString}: its notation differs ({@code 1.0E-5}), and up to JDK 18 it
 * sometimes prints more digits than needed (JDK-4511638), so the text would not match.
 */
final class JsonDoubles {
  private JsonDoubles() {}

  static void append(StringBuilder out, double x) {
    if (Double.isNaN(x)) {
      out.append("\"NaN\"");
      return;
    }
    if (Double.isInfinite(x)) {
      out.append(x > 0 ? "\"Infinity\"" : "\"-Infinity\"");
      return;
    }
    int start = out.length();
    if (x < 0 || (x == 0 && 1 / x < 0)) {
      out.append('-');
    }
    if (x == 0) {
      out.append('0');
    } else {
      appendShortest(out, Math.abs(x));
    }
    boolean plain = true;
    for (int i = start; i < out.length(); i++) {
      char c = out.charAt(i);
      if (c == '.' || c == 'e') {
        plain = false;
        break;
      }
    }
    if (plain) {
      out.append(".0");
    }
  }

  static String format(double x) {
    StringBuilder out = new StringBuilder(24);
    append(out, x);
    return out.toString();
  }

  /** Shortest round-trip digits of a finite x > 0, in to_chars' notation. */
  private static void appendShortest(StringBuilder out, double x) {
    BigDecimal exact = new BigDecimal(x);
    // Double.toString always round-trips, so its digit count bounds the shortest from above;
    // if p digits round-trip, so do p + 1: walk down from there until they no longer do.
    int precision = significantDigits(Double.toString(x));
    BigDecimal best = closestRoundTrip(exact, x, precision);
    while (precision > 1) {
      BigDecimal shorter = closestRoundTrip(exact, x, precision - 1);
      if (shorter == null) {
        break;
      }
      best = shorter;
      precision--;
    }
    if (best == null) {  // cannot happen; keep 17 digits, which always round-trip
      best = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }
    best = best.stripTrailingZeros();
    String digits = best.unscaledValue().toString();
    // value = 0.d1d2...dn * 10^(exponent + 1) = d1.d2...dn * 10^exponent
    int exponent = digits.length() - 1 - best.scale();
    String fixed = fixed(digits, exponent);
    String scientific = scientific(digits, exponent);
    if (fixed.length() > scientific.length()) {
      out.append(scientific);
    } else if (digits.length() <= exponent + 1) {
      // An integer in fixed notation: std::to_chars writes its exact value, as printf("%.0f")
      // would, not the shortest digits padded with zeros (they differ above 2^53).
      out.append(exact.toBigInteger().toString());
    } else {
      out.append(fixed);
    }
  }

  /** The p-digit decimal closest to `exact` that parses back to x, or null if none does. */
  private static BigDecimal closestRoundTrip(BigDecimal exact, double x, int p) {
    BigDecimal nearest = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
    if (Double.parseDouble(nearest.toString()) == x) {
      return nearest;
    }
    // The other neighbour: the rounding interval of a power of two is lopsided, so the
    // nearest p-digit decimal may fall outside while the one on the other side is inside.
    BigDecimal floor = exact.round(new MathContext(p, RoundingMode.FLOOR));
    BigDecimal other = floor.compareTo(nearest) == 0
        ? exact.round(new MathContext(p, RoundingMode.CEILING)) : floor;
    return Double.parseDouble(other.toString()) == x ? other : null;
  }

  private static int significantDigits(String javaText) {
    int count = 0;
    boolean leading = true;
    int end = javaText.indexOf('E');
    if (end < 0) {
      end = javaText.length();
    }
    int lastNonZero = 0;
    for (int i = 0; i < end; i++) {
      char c = javaText.charAt(i);
      if (c < '0' || c > '9') {
        continue;
      }
      if (leading && c == '0') {
        continue;
      }
      leading = false;
      count++;
      if (c != '0') {
        lastNonZero = count;
      }
    }
    return Math.max(1, lastNonZero);
  }

  private static String fixed(String digits, int exponent) {
    int n = digits.length();
    StringBuilder s = new StringBuilder(n + Math.abs(exponent) + 2);
    if (exponent < 0) {
      s.append("0.");
      for (int i = -1; i > exponent; i--) {
        s.append('0');
      }
      s.append(digits);
    } else if (n <= exponent + 1) {
      s.append(digits);
      for (int i = n; i <= exponent; i++) {
        s.append('0');
      }
    } else {
      s.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, n);
    }
    return s.toString();
  }

  private static String scientific(String digits, int exponent) {
    StringBuilder s = new StringBuilder(digits.length() + 6);
    s.append(digits.charAt(0));
    if (digits.length() > 1) {
      s.append('.').append(digits, 1, digits.length());
    }
    s.append('e').append(exponent < 0 ? '-' : '+');
    int magnitude = Math.abs(exponent);
    if (magnitude < 10) {
      s.append('0');
    }
    s.append(magnitude);
    return s.toString();
  }

  /** Prints {@link #format} of each double given as hex bits on stdin (for tests). */
  public static void main(String[] args) throws java.io.IOException {
    java.io.BufferedReader in = new java.io.BufferedReader(
        new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.US_ASCII));
    StringBuilder out = new StringBuilder();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (!line.isEmpty()) {
        out.append(format(Double.longBitsToDouble(Long.parseUnsignedLong(line, 16)))).append('\n');
      }
    }
    System.out.print(out);
  }
}
