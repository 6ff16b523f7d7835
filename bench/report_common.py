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
