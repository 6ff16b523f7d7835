#!/bin/bash
# The JNI bridge benchmark, in ONE run of `zerostart bench` runs (bench/jni_measure.py): the Java
# k-means function through the bridge (examples/java-kmeans) beside the C++ `kmeans` function at
# n=1000,d=2,k=4 and n=100000,d=3,k=8 (cold start as `zerostart bench` defines it, first-invoke
# duration, warm duration, Max Memory Used), and the bridge's own cost per invocation: a Java
# echo through the bridge (bench/jni_peers/JniEcho.java) vs the C++ `echo` function; and the
# Java k-means function's start-up with and without its class-data-sharing archive and with
# other JVM flags, at 1769 and 3008 MB, all in one `zerostart bench` run (and, for its warm
# speed at both shapes, the k-means function with C1 only, -XX:TieredStopAtLevel=1). Writes
# docs/benchmarks/jni-results.json and docs/benchmarks/jni.md (bench/jni_report.py); exits 1 if
# the Java and C++ k-means responses differ.
#
#   bench/run_jni_bench.sh [BUILD_DIR]     (default: build; Release; takes about 6 minutes)
#
# Needs in BUILD_DIR: bin/{zerostart,kmeans,echo}, lib/{zerostart.jar,libzerostart_jni.so} and
# examples/java-kmeans/package (cmake --build BUILD_DIR --target zerostart kmeans echo
# java_kmeans); python3, java, javac. Environment overrides:
#   ZS_BENCH_OUT_DIR=dir   where jni.md / jni-results.json go (default docs/benchmarks)
#   ZS_BENCH_QUICK=1       fewer repetitions (a smoke run; figures are rougher)
# shellcheck source=bench/preamble.sh
source "$(dirname "$0")/preamble.sh" "${1:-}"

lib="$build/lib"
package="$build/examples/java-kmeans/package"
quick="${ZS_BENCH_QUICK:-0}"
raw="$(mktemp -d "${TMPDIR:-/tmp}/zs-jni-bench.XXXXXX")"
trap 'rm -rf "$raw"' EXIT

for f in "$bin/zerostart" "$bin/kmeans" "$bin/echo" "$lib/zerostart.jar" \
         "$lib/libzerostart_jni.so" "$package/bootstrap" "$package/lib/app.jsa"; do
  [ -e "$f" ] || { log "$f is missing (build $build first, with ZS_JAVA_CDS on: --target zerostart kmeans echo java_kmeans)"; exit 1; }
done
command -v java > /dev/null && command -v javac > /dev/null || { log "java/javac missing"; exit 1; }

# The Java echo through the bridge, with the example's JVM flags (cmake/java/bootstrap.sh.in).
mkdir -p "$raw/echo"
javac -Xlint:all -Werror --release 17 -cp "$lib/zerostart.jar" -d "$raw/echo" \
  "$repo/bench/jni_peers/JniEcho.java"
cat > "$raw/echo/bootstrap" <<SH
#!/bin/sh
memory_mb="\${AWS_LAMBDA_FUNCTION_MEMORY_SIZE:-128}"
exec java -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData "-Xmx\$((memory_mb * 85 / 100))m" \\
  "-Dzerostart.jni.library=$lib/libzerostart_jni.so" -cp "$raw/echo:$lib/zerostart.jar" JniEcho
SH
chmod +x "$raw/echo/bootstrap"

# The start-up variants, each a bootstrap that runs the package's with ZEROSTART_JAVA_OPTS (after
# the bootstrap's own flags, so they win): the package as built, a copy without its archive (the
# class path is relative to the package, so a copy runs as the original), one flag changed, and
# a copy whose bootstrap says G1 instead of Serial, with its own archive trained under G1 (G1 maps
# the JDK's archived module graph, which an archive made under Serial turns off).
cp -a "$package" "$raw/without-archive"
rm "$raw/without-archive/lib/app.jsa"
cp -a "$package" "$raw/g1-package"
sed -i 's/ -XX:+UseSerialGC / -XX:+UseG1GC /' "$raw/g1-package/bootstrap"
grep -q ' -XX:+UseG1GC ' "$raw/g1-package/bootstrap" || { log "no -XX:+UseSerialGC in $package/bootstrap"; exit 1; }
sh "$repo/cmake/java/zerostart_java_cds_archive.sh" "$bin/zerostart" "$raw/g1-package" 1 \
  '{"n":1000,"d":2,"k":4,"maxIterations":100,"seed":42}'
variants=""
variant() {  # NAME PACKAGE_DIR JAVA_OPTS
  printf '#!/bin/sh\nZEROSTART_JAVA_OPTS="%s" exec "%s/bootstrap"\n' "$3" "$2" > "$raw/$1.sh"
  chmod +x "$raw/$1.sh"
  variants="$variants${variants:+, }[\"$1\", \"$raw/$1.sh\"]"
}
variant without-archive "$raw/without-archive" ""
variant shipped "$package" ""
variant c1-only "$package" "-XX:TieredStopAtLevel=1"
variant g1 "$raw/g1-package" ""
variant perf-data "$package" "-XX:+UsePerfData"
variant xms8m "$package" "-Xms8m"

if [ "$quick" = 1 ]; then cold=2; scale=1; passes=2; else cold=5; scale=4; passes=4; fi
spec=$(cat <<JSON
{"functions": {"java_kmeans": "$package/bootstrap", "cpp_kmeans": "$bin/kmeans",
               "java_kmeans_c1": "$raw/c1-only.sh",
               "java_echo": "$raw/echo/bootstrap", "cpp_echo": "$bin/echo"},
 "memory": 3008,
 "kmeans": [["small", "{\"n\":1000,\"d\":2,\"k\":4,\"maxIterations\":100,\"seed\":42}", 200, $((50 * scale))],
            ["medium", "{\"n\":100000,\"d\":3,\"k\":8,\"maxIterations\":100,\"seed\":42}", 10, $((5 * scale))]],
 "cold_repeats": $cold,
 "echo": {"payload": "{\"message\":\"hello from the bench\"}", "warmups": 5000,
          "runs": $((2000 * scale))},
 "startup": {"variants": [$variants], "memory": [1769, 3008], "passes": $passes,
             "cold_repeats": $((cold + 3)),
             "payload": "{\"n\":1000,\"d\":2,\"k\":4,\"maxIterations\":100,\"seed\":42}",
             "warmups": 200, "runs": $((5 * scale))}}
JSON
)

date -u +%Y-%m-%dT%H:%M:%SZ > "$raw/started"
cat /proc/loadavg > "$raw/load_before"
# The commit, read from .git without running git (HEAD -> ref file or packed-refs). In a linked
# worktree .git is a file naming its own directory (HEAD), whose commondir holds the refs.
commit=unknown
gitdir="$repo/.git"
[ -f "$gitdir" ] && gitdir="$(sed -n 's/^gitdir: //p' "$gitdir")"
refs="$gitdir"
[ -f "$gitdir/commondir" ] && refs="$(cd "$gitdir/$(cat "$gitdir/commondir")" && pwd)"
if [ -f "$gitdir/HEAD" ]; then
  head="$(cat "$gitdir/HEAD")"
  case "$head" in
    "ref: "*) ref="${head#ref: }"
      if [ -f "$refs/$ref" ]; then commit="$(cat "$refs/$ref")"
      else commit="$(awk -v r="$ref" '$2 == r {print $1}' "$refs/packed-refs" 2> /dev/null || true)"; fi ;;
    *) commit="$head" ;;
  esac
fi
echo "${commit:-unknown}" > "$raw/commit"
printf '%s ' "$0" "$@" > "$raw/command"
echo "$spec" > "$raw/spec.json"

python3 "$repo/bench/jni_measure.py" "$raw" "$bin/zerostart" "$spec"

cat /proc/loadavg > "$raw/load_after"
date -u +%Y-%m-%dT%H:%M:%SZ > "$raw/finished"
mkdir -p "$out_dir"
python3 "$repo/bench/jni_report.py" "$raw" "$out_dir/jni-results.json" "$out_dir/jni.md"
log "written: $out_dir/jni-results.json, $out_dir/jni.md"
