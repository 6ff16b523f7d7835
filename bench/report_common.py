"""Helpers shared by the benchmark report scripts (foundation_report.py, kmeans_report.py,
jni_report.py, package_bench.py): reading the raw files a run_*_bench.sh script leaves,
describing the machine, and writing the JSON + Markdown pair."""
import json
import os
import platform
import re
import subprocess
import sys


def read_text(path, default=""):
    """The file's text, stripped; `default` when it cannot be read."""
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def read_jsonl(path, missing_ok=False):
    """One JSON value per non-empty line; [] for a missing file only when missing_ok."""
    if missing_ok and not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def run(cmd):
    """stdout + stderr of `cmd`, stripped; "" when it cannot run or takes over 30 s."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (p.stdout + p.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def first_line(text):
    return text.splitlines()[0] if text else None


def machine():
    """CPU, SIMD, memory, kernel, hypervisor and tool versions of this machine."""
    lscpu = run(["lscpu"])
    model = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
    family = re.search(r"^CPU family:\s*(.+)$", lscpu, re.M)
    cpu_model = re.search(r"^Model:\s*(.+)$", lscpu, re.M)
    flags = re.search(r"^Flags:\s*(.+)$", lscpu, re.M)
    flag_set = set(flags.group(1).split()) if flags else set()
    mem = re.search(r"^MemTotal:\s*(\d+) kB", read_text("/proc/meminfo"), re.M)
    return {
        "cpu_model": model.group(1) if model else platform.processor(),
        "cpu_family_model": f"{family.group(1) if family else '?'}/{cpu_model.group(1) if cpu_model else '?'}",
        "cpus": os.cpu_count(),
        "simd": [f for f in ("avx2", "fma", "avx512f") if f in flag_set],
        "kernel": platform.release(),
        "mem_gib": round(int(mem.group(1)) / 1048576, 1) if mem else None,
        "hypervisor": "KVM" if "KVM" in lscpu else "",
        "java": first_line(run(["java", "-version"])),
        "node": run(["node", "--version"]) or None,
        "compiler": first_line(run(["c++", "--version"])),
    }


def write_outputs(out_json, out_md, report, markdown_text, problems=(), prefix="PROBLEM: "):
    """Writes `report` as indented JSON to out_json and `markdown_text` to out_md, then prints
    each problem on stderr after `prefix`."""
    with open(out_json, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    with open(out_md, "w") as f:
        f.write(markdown_text)
    for p in problems:
        print(prefix + p, file=sys.stderr)


def percentile(xs, p):
    """The p-th percentile (0-100) of xs, as `zerostart bench` computes it (src/benchmark/stats.h):
    linear interpolation between order statistics, Hyndman & Fan type 7 (numpy's and R's
    default). None for no samples."""
    s = sorted(xs)
    if not s:
        return None
    rank = p / 100 * (len(s) - 1)
    low = int(rank)
    high = min(low + 1, len(s) - 1)
    return s[low] + (rank - low) * (s[high] - s[low])


def median(xs):
    """The 50th percentile (type 7: the mean of the middle two of an even count); None if empty."""
    return percentile(xs, 50)


def run_bench(zerostart, out_dir, args):
    """Runs `zerostart bench ARGS --no-charts --out OUT_DIR` (its progress on stderr; raises if it
    fails) and returns the path of the results.json it wrote."""
    subprocess.run([zerostart, "bench", *args, "--no-charts", "--out", out_dir], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(out_dir, "results.json")


def bench_samples(results_path):
    """The samples of a `zerostart bench` run (its results.json, schema zerostart-bench/1), as
    {function name: [sample, ...]} over every memory setting, in the order they were taken. A
    sample has kind ("cold" | "warm"), workload, warmup, ok, error, client_ms and, from the
    emulator's REPORT, duration_ms, init_duration_ms and max_memory_mb when it gave them."""
    with open(results_path) as f:
        results = json.load(f)
    out = {f["name"]: [] for f in results["functions"]}
    for cell in results["cells"]:
        out.setdefault(cell["function"], []).extend(cell["samples"])
    return out


def cold_summary(samples):
    """Cold starts as `zerostart bench` defines them: the caller's send -> whole response of the
    first invoke of a fresh function process (the emulator spawns it on that invoke), with the
    REPORT's Init Duration and Max Memory Used. Failed cold starts are counted, not averaged."""
    cold = [s for s in samples if s["kind"] == "cold"]
    ok = [s for s in cold if s["ok"]]
    ms = [s["client_ms"] for s in ok]
    init = [s["init_duration_ms"] for s in ok if s.get("init_duration_ms") is not None]
    first = [s["duration_ms"] for s in ok if s.get("duration_ms") is not None]
    memory = [s["max_memory_mb"] for s in ok if s.get("max_memory_mb") is not None]

    def spread(xs):
        return ({"min": min(xs), "p50": median(xs), "p90": percentile(xs, 90), "max": max(xs),
                 "mean": sum(xs) / len(xs)} if xs else None)

    return {"runs": len(cold), "failed": len(cold) - len(ok),
            "errors": sorted({s["error"] for s in cold if not s["ok"]}),
            "cold_ms": spread(ms), "init_duration_ms": spread(init),
            "first_duration_ms": spread(first),
            "max_memory_mb": max(memory) if memory else None,
            "samples_ms": [round(x, 3) for x in ms]}
