#!/usr/bin/env python3
"""Turns the raw outputs of bench/run_foundation_bench.sh into foundation-results.json and a
Markdown table (stdout). Checks what must hold whatever the timings: k-means results identical
to Commons Math (sizes, sse bits, center bits), sin bits identical to Java's; exits 1 if not.

    foundation_report.py RAW_DIR OUT_JSON
"""
import json
import os
import re
import statistics
import struct
import sys

from report_common import (bench_samples, cold_summary, machine, median, percentile,
                           read_jsonl, read_text, run)

# The foundation benchmark's targets (docs/benchmarks/foundation.md, "Verdict").
COLD_P50_MS = 3.0
WARM_P50_US = 150.0
WARM_RATE = 6000.0
ECHO_MEMORY_MB = 3
COLD_MEMORY_MB = 3008  # bench/run_foundation_bench.sh measures cold starts at this setting
ECHO_BYTES = 2_500_000
SIN_BITS = "0x3f41f2a08631548d"  # docs/WORKLOAD.md, "sin"

# Not measurable in the same run (not installable here): quoted figures, measured on a machine
# of the same kind, another day, not in this run.
QUOTED = {
    "source": "measured on a machine of the same kind, another day, NOT in this run",
    # aws-lambda-cpp there: linked dynamically against Debian's libcurl (and its dependency
    # tree); the same-run aws-lambda-cpp row uses ric's minimal static libcurl instead.
    "cold_ms_p50": {"aws-lambda-cpp (dynamic, Debian libcurl)": 25.3, "aws-lambda-go": 16.5},
    "rie_warm": {
        "aws-lambda-cpp (dynamic, Debian libcurl)": {"count": 1000, "p50_ms": 0.83, "p99_ms": 2.67, "invokes_per_s": 1100},
        "aws-lambda-go": {"count": 1000, "p50_ms": 1.00, "p99_ms": 3.66, "invokes_per_s": 870},
        "aws-lambda-ric": {"count": 1000, "p50_ms": 1.01, "p99_ms": 3.95, "invokes_per_s": 900},
        "bash-curl": {"p50_ms": 90.0, "invokes_per_s": 11},
    },
    "rss_mib": {"aws-lambda-cpp (dynamic, Debian libcurl)": 11.1, "aws-lambda-go": 11.8,
                "RIE itself": 9.4},
}








def spawn_floor(raw):
    """posix_spawn -> waitpid of the static echo with no endpoint (it exits at once), in ms."""
    floor = json.loads(read_text(os.path.join(raw, "spawn_floor.json")) or "null")
    if floor:
        xs = floor["samples_ms"]
        floor.update({"p50_ms": median(xs), "p90_ms": percentile(xs, 90), "min_ms": min(xs)})
    return floor


def cold_section(raw):
    """One entry per runtime, in the order measured: `zerostart bench`'s cold starts
    (RAW/cold/results.json) and the peers that could not run here (RAW/cold-skipped.jsonl)."""
    entries = []
    path = os.path.join(raw, "cold", "results.json")
    if os.path.exists(path):
        for name, samples in bench_samples(path).items():
            entries.append({"label": name, **cold_summary(samples)})
    return entries + read_jsonl(os.path.join(raw, "cold-skipped.jsonl"), missing_ok=True)


def bits(x):
    return "0x" + struct.pack(">d", x).hex()




def parse_invoke_text(text):
    m = re.search(r"invokes: (\d+) \((\d+) function errors\) in ([\d.]+) s: (\d+) invokes/s", text)
    l = re.search(r"p50 ([\d.]+) us, p90 ([\d.]+) us, p99 ([\d.]+) us, max ([\d.]+) us", text)
    if not m or not l:
        raise ValueError("unexpected `zerostart invoke` output: " + text)
    return {
        "invokes": int(m.group(1)), "function_errors": int(m.group(2)),
        "seconds": float(m.group(3)), "invokes_per_s": int(m.group(4)),
        "p50_us": float(l.group(1)), "p90_us": float(l.group(2)),
        "p99_us": float(l.group(3)), "max_us": float(l.group(4)),
    }


def median_rounds(warm):
    """One entry per label: a label measured in several rounds keeps its median round (by p50),
    with every round's p50 and rate under "rounds"."""
    by_label = {}
    for w in warm:
        by_label.setdefault(w["label"], []).append(w)
    out = []
    for label, entries in by_label.items():
        if len(entries) == 1 or "skipped" in entries[0]:
            out.append(entries[0])
            continue
        ranked = sorted(entries, key=lambda w: w["p50_us"])
        chosen = dict(ranked[(len(ranked) - 1) // 2])
        chosen["rounds"] = [{"p50_us": w["p50_us"], "p99_us": w["p99_us"],
                             "invokes_per_s": w["invokes_per_s"]} for w in entries]
        out.append(chosen)
    return out


def kmeans_section(raw, problems):
    cpp = read_jsonl(os.path.join(raw, "kmeans_cpp.jsonl"), missing_ok=True)
    java_runs = read_jsonl(os.path.join(raw, "kmeans_java.jsonl"), missing_ok=True)
    out = {}
    for case, shape in (("small", "n=1000 d=2 k=4"), ("large", "n=100000 d=3 k=8")):
        responses = [r["response"] for r in cpp if r["case"] == case]
        ms = [r["clusterMs"] for r in responses]
        last = responses[-1]
        for r in responses:
            if r["sizes"] != last["sizes"] or bits(r["sse"]) != bits(last["sse"]):
                problems.append(f"k-means {case}: the C++ runs disagree with each other")
        c = {
            "cluster_ms_median": statistics.median(ms), "cluster_ms_min": min(ms),
            "cluster_ms_all": ms, "runs": len(ms), "sizes": last["sizes"],
            "sse": last["sse"], "sse_bits": bits(last["sse"]), "iterations": last["iterations"],
            "center_bits": [bits(x) for row in last["centers"] for x in row],
        }
        entry = {"shape": shape + " seed=42 maxIterations=100", "cpp": c}
        variants = []
        for run in (r for r in java_runs if r["case"] == case):
            j = run["java"]
            variants.append({
                "jvm_flags": run.get("flags") or "(default)",
                "cluster_ms_median": j["medianMs"], "cluster_ms_first": j["firstMs"],
                "warmups": len(j["warmupMs"]), "runs": len(j["runsMs"]),
                "cluster_ms_all": j["runsMs"], "sizes": j["sizes"], "sse_bits": j["sseBits"],
                "center_bits": j["centerBits"],
            })
        if variants:
            entry["java_variants"] = variants
            # The JVM's best configuration is what zerostart is compared with.
            j = min(variants, key=lambda v: v["cluster_ms_median"])
            entry["java"] = j
            entry["identical"] = all(
                c["sizes"] == v["sizes"] and c["sse_bits"] == v["sse_bits"]
                and c["center_bits"] == v["center_bits"] for v in variants)
            if not entry["identical"]:
                problems.append(f"k-means {case}: zerostart and Commons Math differ: "
                                f"{c['sizes']} {c['sse_bits']} vs {j['sizes']} {j['sse_bits']}")
            entry["speedup"] = j["cluster_ms_median"] / c["cluster_ms_median"]
        out[case] = entry
    return out


def sin_section(raw, problems):
    cpp = [r["response"] for r in read_jsonl(os.path.join(raw, "sin_cpp.jsonl"), missing_ok=True)]
    ms = [r["elapsedMs"] for r in cpp]
    out = {"cpp": {"elapsed_ms_median": statistics.median(ms), "elapsed_ms_all": ms,
                   "x_bits": cpp[-1]["xBits"]}}
    if any(r["xBits"] != SIN_BITS for r in cpp):
        problems.append(f"sin: C++ bits {cpp[-1]['xBits']} != {SIN_BITS}")
    java_text = read_text(os.path.join(raw, "sin_java.json"))
    if java_text:
        j = json.loads(java_text)
        out["java"] = {"loop_ms_median": j["medianMs"], "loop_ms_first": j["firstMs"],
                       "loop_ms_all": j["runsMs"], "x_bits": j["xBits"]}
        out["identical"] = j["xBits"] == out["cpp"]["x_bits"]
        if not out["identical"]:
            problems.append(f"sin: Java bits {j['xBits']} != C++ {out['cpp']['x_bits']}")
        out["speedup"] = j["medianMs"] / out["cpp"]["elapsed_ms_median"]
    return out


def fmt(x, digits=1):
    return f"{x:,.{digits}f}"


def markdown(r):
    lines = []
    m = r["machine"]
    lines.append(f"Machine: {m['cpu_model']}, {m['cpus']} vCPU ({m['hypervisor']}), kernel "
                 f"{m['kernel']}, {m['mem_gib']} GiB; load {r['load_before']} -> {r['load_after']}; "
                 f"{r['started']}")
    lines.append("")
    cold = {c["label"]: c for c in r["cold_start"] if c.get("cold_ms")}
    ours = cold.get("zerostart-echo")
    lines.append(f"### Cold start, echo (`zerostart bench` at {r['cold_memory_mb']} MB: the caller's "
                 "send -> whole response of a fresh function process's first invoke)")
    lines.append("")
    lines.append("| runtime | runs | min | p50 | p90 | max | Init Duration p50 | Max Memory Used "
                 "| vs zerostart (p50) |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for c in r["cold_start"]:
        if "skipped" in c:
            lines.append(f"| {c['label']} | skipped: {c['skipped']} | | | | | | | |")
            continue
        t = c["cold_ms"]
        if not t:
            lines.append(f"| {c['label']} | {c['runs']}, all failed: {'; '.join(c['errors'])} | | | | | | | |")
            continue
        failed = f" ({c['failed']} failed)" if c["failed"] else ""
        ratio = f"{t['p50'] / ours['cold_ms']['p50']:.1f}x" if ours and c is not ours else "1x"
        init = c["init_duration_ms"]
        lines.append(f"| {c['label']} | {c['runs']}{failed} | {fmt(t['min'], 2)} ms | **{fmt(t['p50'], 2)} ms** | "
                     f"{fmt(t['p90'], 2)} ms | {fmt(t['max'], 2)} ms | "
                     f"{fmt(init['p50'], 2) + ' ms' if init else '—'} | {c['max_memory_mb']} MB | {ratio} |")
    for name, p50 in QUOTED["cold_ms_p50"].items():
        lines.append(f"| {name} (quoted, not this run: spawn -> response on a stub Runtime API) | | | "
                     f"{p50} ms | | | | {QUOTED['rss_mib'][name]} MiB (VmHWM) | "
                     f"{p50 / ours['cold_ms']['p50']:.1f}x |" if ours else "")
    lines.append("")
    if r.get("spawn_floor"):
        f = r["spawn_floor"]
        lines.append(f"Floor: spawning the static `echo` with no endpoint until it has exited and been "
                     f"reaped (no runtime work): p50 {fmt(f['p50_ms'], 2)} ms, p90 {fmt(f['p90_ms'], 2)} ms, "
                     f"min {fmt(f['min_ms'], 2)} ms ({f['runs']} runs). Every cold start above pays at least this.")
        lines.append("")
    lines.append("### Warm invoke through `zerostart serve` (16-byte payload, one kept-open connection)")
    lines.append("")
    lines.append("| function | invokes | p50 | p90 | p99 | max | invokes/s | p50 vs zerostart | CPU µs/invoke: emulator / function / client |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    ours_warm = next((w for w in r["warm_invoke"] if w["label"] == "zerostart-echo"), None)
    for w in r["warm_invoke"]:
        if "skipped" in w:
            lines.append(f"| {w['label']} | skipped: {w['skipped']} | | | | | | | |")
            continue
        cpu = w["cpu_us_per_invoke"]
        cpu_text = " / ".join(f"{cpu[k]:,.0f}" for k in ("emulator", "function", "client") if k in cpu)
        label = w["label"]
        if "rounds" in w:
            p50s = sorted(x["p50_us"] for x in w["rounds"])
            rates = sorted(x["invokes_per_s"] for x in w["rounds"])
            label += (f" (median of {len(p50s)} rounds; p50 {p50s[0]:.0f}-{p50s[-1]:.0f} µs, "
                      f"{rates[0]:,}-{rates[-1]:,}/s)")
        lines.append(f"| {label} | {w['invokes']} | **{fmt(w['p50_us'])} µs** | {fmt(w['p90_us'])} µs | "
                     f"{fmt(w['p99_us'])} µs | {fmt(w['max_us'])} µs | **{w['invokes_per_s']:,}** | "
                     f"{w['p50_us'] / ours_warm['p50_us']:.1f}x | {cpu_text} |")
    for name, q in QUOTED["rie_warm"].items():
        p99 = f"{q['p99_ms'] * 1000:,.0f} µs" if "p99_ms" in q else ""
        lines.append(f"| {name} under RIE (quoted, not this run) | {q.get('count', '')} | "
                     f"{q['p50_ms'] * 1000:,.0f} µs | | {p99} | | {q['invokes_per_s']:,} | "
                     f"{q['p50_ms'] * 1000 / ours_warm['p50_us']:.1f}x | |")
    if r.get("loopback_rtt"):
        lb = r["loopback_rtt"]
        lines.append("")
        lines.append(f"Floor: one 16-byte TCP round trip between two processes on 127.0.0.1 "
                     f"(zs_loopback_rtt): p50 {lb['p50_us']} µs, p99 {lb['p99_us']} µs, "
                     f"{lb['round_trips_per_s']:,.0f}/s. An invoke through an emulator is at least two.")
    lines.append("")
    lines.append("### Sizes")
    lines.append("")
    lines.append("| binary | bytes | MiB |")
    lines.append("|---|---|---|")
    for s in r["sizes"]:
        lines.append(f"| {s['name']} | {s['bytes']:,} | {s['bytes'] / 1048576:.2f} |")
    lines.append("")
    lines.append("### k-means (clusterMs; C++ via the emulator, Commons Math warm in one JVM)")
    lines.append("")
    lines.append("| case | zerostart median (min) | Commons Math warm median, per JVM flags | JVM first run (best flags) | ratio vs best JVM | identical |")
    lines.append("|---|---|---|---|---|---|")
    for case, k in r["kmeans"].items():
        c = k["cpp"]
        j = k.get("java")
        jm = "; ".join(f"{fmt(v['cluster_ms_median'], 2)} ms {v['jvm_flags']}"
                       for v in k.get("java_variants", [])) or "n/a"
        if j:
            jm += f" ({j['warmups']} warm-ups, median of {j['runs']})"
        jf = f"{fmt(j['cluster_ms_first'], 2)} ms" if j else "n/a"
        sp = f"{k['speedup']:.1f}x faster" if j else "n/a"
        lines.append(f"| {k['shape']} | {fmt(c['cluster_ms_median'], 2)} ms ({fmt(c['cluster_ms_min'], 2)}) | "
                     f"{jm} | {jf} | {sp} | {k.get('identical', 'n/a')} (sizes {c['sizes']}, sse {c['sse_bits']}) |")
    lines.append("")
    s = r["sin"]
    lines.append("### sin, 10^7 dependent calls from 1.0")
    lines.append("")
    lines.append("| | median | bits |")
    lines.append("|---|---|---|")
    lines.append(f"| zerostart sin (glibc) | {fmt(s['cpp']['elapsed_ms_median'])} ms | {s['cpp']['x_bits']} |")
    if "java" in s:
        lines.append(f"| Java Math.sin loop (warm; first run {fmt(s['java']['loop_ms_first'])} ms) | "
                     f"{fmt(s['java']['loop_ms_median'])} ms | {s['java']['x_bits']} |")
    lines.append("")
    lines.append("### Targets")
    lines.append("")
    lines.append("| target | measured | met |")
    lines.append("|---|---|---|")
    for t in r["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else '**NO**'} |")
    return "\n".join(lines)


def main():
    raw, out_path = sys.argv[1], sys.argv[2]
    problems = []
    cold = cold_section(raw)
    warm = []
    for w in read_jsonl(os.path.join(raw, "warm.jsonl"), missing_ok=True):
        if "skipped" in w:
            warm.append(w)
        else:
            entry = {"label": w["label"], **parse_invoke_text(w["text"])}
            # CPU time per invoke, from /proc ticks (1/CLK_TCK s) and the client's rusage.
            per = 1e6 / entry["invokes"]
            entry["cpu_us_per_invoke"] = {
                "emulator": w["emulator_ticks"] / w["clk_tck"] * per,
                "function": w["function_ticks"] / w["clk_tck"] * per,
            }
            if w.get("client_user_sys_s"):
                entry["cpu_us_per_invoke"]["client"] = sum(w["client_user_sys_s"]) * per
            warm.append(entry)
    warm = median_rounds(warm)
    sizes = read_jsonl(os.path.join(raw, "sizes.jsonl"), missing_ok=True)
    results = {
        "benchmark": "foundation",
        "started": read_text(os.path.join(raw, "started")),
        "finished": read_text(os.path.join(raw, "finished")),
        "load_before": " ".join(read_text(os.path.join(raw, "load_before")).split()[:3]),
        "load_after": " ".join(read_text(os.path.join(raw, "load_after")).split()[:3]),
        "machine": machine(),
        "revision": run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe",
                         "--always", "--dirty"]),
        "cold_memory_mb": COLD_MEMORY_MB,
        "cold_start": cold,
        "warm_invoke": warm,
        "loopback_rtt": json.loads(read_text(os.path.join(raw, "loopback.json")) or "null"),
        "spawn_floor": spawn_floor(raw),
        "sizes": sizes,
        "kmeans": kmeans_section(raw, problems),
        "sin": sin_section(raw, problems),
        "quoted_not_this_run": QUOTED,
    }

    echo_cold = next((c for c in cold if c["label"] == "zerostart-echo"), {})
    if not echo_cold.get("cold_ms"):
        problems.append(f"no cold start of echo succeeded: {echo_cold.get('errors', 'not measured')}")
        echo_cold = {"cold_ms": {"p50": float("inf")}, "max_memory_mb": None}
    echo_warm = next(w for w in warm if w["label"] == "zerostart-echo")
    echo_size = next(s for s in sizes if s["name"] == "echo")
    km = results["kmeans"]
    targets = [
        {"target": f"cold start echo p50 <= {COLD_P50_MS} ms",
         "measured": f"{echo_cold['cold_ms']['p50']:.2f} ms",
         "met": echo_cold["cold_ms"]["p50"] <= COLD_P50_MS},
        {"target": f"warm invoke echo p50 <= {WARM_P50_US:.0f} us",
         "measured": f"{echo_warm['p50_us']:.1f} us", "met": echo_warm["p50_us"] <= WARM_P50_US},
        {"target": f"warm invoke echo >= {WARM_RATE:,.0f} invokes/s",
         "measured": f"{echo_warm['invokes_per_s']:,}/s",
         "met": echo_warm["invokes_per_s"] >= WARM_RATE},
        {"target": f"echo Max Memory Used (max over the cold starts) <= {ECHO_MEMORY_MB} MB",
         "measured": f"{echo_cold['max_memory_mb']} MB",
         "met": echo_cold["max_memory_mb"] is not None and echo_cold["max_memory_mb"] <= ECHO_MEMORY_MB},
        {"target": "static stripped echo <= 2.5 MB",
         "measured": f"{echo_size['bytes']:,} bytes",
         "met": echo_size["bytes"] <= ECHO_BYTES and "statically linked" in echo_size["file"]
                and "stripped" in echo_size["file"] and "not stripped" not in echo_size["file"]},
    ]
    for case, k in km.items():
        if "java" in k:
            targets.append({
                "target": f"k-means {k['shape']}: identical to Commons Math and not slower (warm)",
                "measured": f"identical={k['identical']}, {k['cpp']['cluster_ms_median']:.2f} ms vs "
                            f"{k['java']['cluster_ms_median']:.2f} ms",
                "met": k["identical"] and k["cpp"]["cluster_ms_median"] <= k["java"]["cluster_ms_median"]})
    if "java" in results["sin"]:
        s = results["sin"]
        targets.append({"target": "sin 10M: same bits as Java Math.sin",
                        "measured": f"{s['cpp']['x_bits']} vs {s['java']['x_bits']}",
                        "met": s["identical"]})
    results["targets"] = targets
    results["problems"] = problems

    with open(out_path, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    print(markdown(results))
    for p in problems:
        print("PROBLEM: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
