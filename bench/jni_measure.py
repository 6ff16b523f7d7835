"""Measurements of bench/run_jni_bench.sh: Java functions through the JNI bridge beside their
C++ twins, measured by `zerostart bench` in one run.

  jni_measure.py RAW_DIR ZEROSTART JSON_SPEC

JSON_SPEC: {"functions": {name: bootstrap}, "memory": MB, "cold_repeats": N,
"kmeans": [[shape, payload, warmups, runs]...], "echo": {"payload": str, "warmups": N, "runs": N},
"startup": {"variants": [[name, bootstrap]...], "memory": [MB...], "passes": N, "cold_repeats": N
(per pass), "payload": str, "warmups": N, "runs": N (per pass)}}.
Writes RAW_DIR/kmeans.jsonl, RAW_DIR/echo.jsonl and RAW_DIR/startup.jsonl (one JSON object per
function and workload, or variant and memory setting) from the results.json of each
`zerostart bench` run (RAW_DIR/bench-*/).

Cold start, warm Duration and Max Memory Used are `zerostart bench`'s (docs/benchmarks/
power-tuning.md): cold = the caller's send -> whole response of a fresh function process's first
invoke; warm = the emulator's REPORT Duration and the client's latency of the invokes after the
warm-ups, in one process. One bench run per k-means shape, so that each shape's cold starts
carry its own payload. The responses compared between Java and C++ come from one more invoke
each, through `zerostart invoke`.

Start-up variants (the Java k-means package with and without its class-data-sharing archive,
and with other JVM flags) are measured in one `zerostart bench` run of several passes, each pass
over every variant, in the order given and in the reverse order in turn (a variant's samples
pooled over the passes), so that the swings of the machine's load during the run weigh on every
variant alike.
"""
import json
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_common import bench_samples, cold_summary, median, run_bench  # noqa: E402


def bench_functions(raw, zerostart, label, spec, functions, payloads, cold_payload):
    """Runs `zerostart bench` on `functions` (names in spec["functions"]) with `payloads`
    (config PAYLOAD objects); returns {name: [sample, ...]}."""
    return bench_samples(run_config(raw, zerostart, label, [spec["memory"]], spec["cold_repeats"],
                                    [(name, spec["functions"][name]) for name in functions],
                                    payloads, cold_payload))


def run_config(raw, zerostart, label, memory, cold, functions, payloads, cold_payload):
    """Runs `zerostart bench` at the `memory` settings on `functions` ([(name, bootstrap)...]),
    `cold` cold starts each, with `payloads`; returns the results.json's path."""
    out = os.path.join(raw, "bench-" + label)
    config = {"memory": memory, "cold": cold,
              "functions": [{"name": name, "path": path, "cold_payload": json.loads(cold_payload),
                             "payloads": payloads} for name, path in functions]}
    config_path = os.path.join(raw, f"bench-{label}.json")
    with open(config_path, "w") as f:
        json.dump(config, f)
    return run_bench(zerostart, out, ["--config", config_path])


def warm(samples, workload):
    """The warm samples after the warm-ups; raises if any of them failed."""
    kept = [s for s in samples if s["kind"] == "warm" and s["workload"] == workload and not s["warmup"]]
    failed = [s["error"] for s in kept if not s["ok"]]
    if failed:
        raise RuntimeError(f"{workload}: {len(failed)} invokes failed, e.g. {failed[0]}")
    return kept


def answer(zerostart, bootstrap, payload, memory):
    """The response body of one invoke of `bootstrap` under its own `zerostart serve`, at the
    benchmark's memory setting (the C++ function sizes its threads from it)."""
    serve = subprocess.Popen([zerostart, "serve", "--port", "0", "--memory", str(memory), "--", bootstrap],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        port = None
        for line in serve.stderr:
            m = re.search(r" on http://127\.0\.0\.1:(\d+)", line)
            if m:
                port = m.group(1)
                break
        if port is None:
            raise RuntimeError(f"serve of {bootstrap} did not start")
        return subprocess.run([zerostart, "invoke", "--port", port, "--payload", payload],
                              check=True, capture_output=True, text=True, timeout=300).stdout
    finally:
        # serve leads its own process group: the group goes, whatever state serve is in.
        os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
        serve.stderr.close()


def max_memory(samples):
    """The largest REPORT Max Memory Used over `samples` (cold and warm alike), or None."""
    memory = [s["max_memory_mb"] for s in samples if s.get("max_memory_mb") is not None]
    return max(memory) if memory else None


def p50_text(xs, unit, scale=1.0):
    return f"{median(xs) * scale:.3f} {unit}" if xs else "no samples"


def measure_kmeans(raw, zerostart, spec, out):
    names = tuple(n for n in ("java_kmeans", "java_kmeans_c1", "cpp_kmeans") if n in spec["functions"])
    for shape, payload, warmups, runs in spec["kmeans"]:
        samples = bench_functions(raw, zerostart, shape, spec, names,
                            [{"label": shape, "payload": json.loads(payload),
                              "warmups": warmups, "warm": runs}], payload)
        for name in names:
            kept = warm(samples[name], shape)
            cold = cold_summary(samples[name])
            response = answer(zerostart, spec["functions"][name], payload, spec["memory"])
            row = {"shape": shape, "function": name, "payload": payload, "cold": cold,
                   "warmups": warmups,
                   "warm_duration_ms": [s["duration_ms"] for s in kept if s["duration_ms"] is not None],
                   "warm_client_ms": [s["client_ms"] for s in kept],
                   "max_memory_mb": max_memory(samples[name]),
                   "response_prefix": response.split(',"generateMs"')[0]}
            out.write(json.dumps(row) + "\n")
            out.flush()
            cold_text = p50_text(cold["samples_ms"], "ms")
            print(f"jni_measure: {shape} {name}: cold {cold_text}, "
                  f"warm p50 {p50_text(row['warm_duration_ms'], 'ms')}", file=sys.stderr)


def measure_echo(raw, zerostart, spec, out):
    echo = spec["echo"]
    names = ("java_echo", "cpp_echo")
    samples = bench_functions(raw, zerostart, "echo", spec, names,
                        [{"label": "echo", "payload": json.loads(echo["payload"]),
                          "warmups": echo["warmups"], "warm": echo["runs"]}], echo["payload"])
    for name in names:
        kept = warm(samples[name], "echo")
        client_us = [s["client_ms"] * 1000 for s in kept]
        out.write(json.dumps({"function": name, "client_us": client_us,
                              "duration_ms": [s["duration_ms"] for s in kept if s["duration_ms"] is not None],
                              "max_memory_mb": max_memory(samples[name]),
                              "cold": cold_summary(samples[name])}) + "\n")
        print(f"jni_measure: {name}: client p50 {p50_text(client_us, 'us')}", file=sys.stderr)


def measure_startup(raw, zerostart, spec, out):
    startup = spec["startup"]
    variants = startup["variants"]
    # Each variant once per pass, forwards then backwards in turn: "-2", "-3"... mark the passes
    # after the first (its samples are pooled with the first's).
    passes = startup["passes"]
    order = []
    for k in range(passes):
        suffix = "" if k == 0 else f"-{k + 1}"
        order += [(name + suffix, path) for name, path in (variants if k % 2 == 0 else reversed(variants))]
    results_path = run_config(raw, zerostart, "startup", startup["memory"], startup["cold_repeats"],
                              order, [{"label": "small", "payload": json.loads(startup["payload"]),
                                       "warmups": startup["warmups"], "warm": startup["runs"]}],
                              startup["payload"])
    with open(results_path) as f:
        cells = json.load(f)["cells"]
    for name, _ in variants:
        for memory in startup["memory"]:
            names = {name} | {f"{name}-{k + 1}" for k in range(1, passes)}
            samples = [s for c in cells if c["function"] in names and c["memory_mb"] == memory
                       for s in c["samples"]]
            kept = warm(samples, "small")
            cold = cold_summary(samples)
            memory_used = [s["max_memory_mb"] for s in samples if s.get("max_memory_mb") is not None]
            out.write(json.dumps({"variant": name, "memory_mb": memory, "cold": cold,
                                  "warmups": startup["warmups"],
                                  "warm_duration_ms": [s["duration_ms"] for s in kept
                                                       if s["duration_ms"] is not None],
                                  "max_memory_mb": max(memory_used) if memory_used else None}) + "\n")
            out.flush()
            print(f"jni_measure: start-up {name} @ {memory} MB: cold {cold['cold_ms']['p50']:.1f} ms, "
                  f"warm p50 {median([s['duration_ms'] for s in kept]):.3f} ms", file=sys.stderr)


def main():
    raw, zerostart, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    with open(f"{raw}/startup.jsonl", "w") as out:
        measure_startup(raw, zerostart, spec, out)
    with open(f"{raw}/echo.jsonl", "w") as out:
        measure_echo(raw, zerostart, spec, out)
    with open(f"{raw}/kmeans.jsonl", "w") as out:
        measure_kmeans(raw, zerostart, spec, out)


if __name__ == "__main__":
    main()
