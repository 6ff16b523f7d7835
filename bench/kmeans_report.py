#!/usr/bin/env python3
"""Turns the raw outputs of bench/run_kmeans_bench.sh into kmeans-results.json and kmeans.md.
Checks what must hold whatever the timings: C++ results identical across thread counts and to
Commons Math's (sizes, sse bits, center bits), sin bits identical to the C loop's and to the
reference bits; exits 1 if not (after writing both files, so the failure is documented).

    kmeans_report.py RAW_DIR OUT_JSON OUT_MD
"""
import json
import os
import statistics
import struct
import sys

from report_common import machine, read_jsonl, read_text, write_outputs

SIN_BITS = "0x3f41f2a08631548d"  # docs/WORKLOAD.md, "sin"
# The targets of the k-means and sin benchmark (the "Targets" table of kmeans.md).
TARGET_SMALL = 30.0    # n=1000 d=2 k=4: C++ 1 thread vs warm Commons Math
TARGET_MEDIUM = 50.0   # n=100000 d=3 k=8
TARGET_LARGE = 30.0    # n=1000000 d=16 k=32, per iteration (seeding included)
TARGET_SIN = 1.05      # sin chain / plain C loop
RSS_SLACK_BYTES = 10 * 1024 * 1024
ISAS = ("baseline", "avx2", "avx512")  # BM_AssignDense's 4th argument, in KernelIsa order

SHAPES = {
    "small": "n=1000 d=2 k=4 seed=42",
    "medium": "n=100000 d=3 k=8 seed=42",
    "large": "n=1000000 d=16 k=32 seed=42 maxIterations=10",
}
GBENCH_ARGS = {"small": "1000/2/4/100", "medium": "100000/3/8/100", "large": "1000000/16/32/10"}










def to_ms(entry, key="real_time"):
    unit = entry.get("time_unit", "ns")
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
    return entry[key] * scale


def gbench_runs(path):
    """run_name -> list of iteration entries (aggregates ignored: medians are taken here)."""
    with open(path) as f:
        data = json.load(f)
    runs = {}
    for b in data["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        runs.setdefault(b.get("run_name", b["name"]), []).append(b)
    return data.get("context", {}), runs


def find_run(runs, prefix):
    for name, entries in runs.items():
        if name.startswith(prefix):
            return entries
    return []


def median_ms(entries, key="real_time"):
    return statistics.median(to_ms(e, key) for e in entries) if entries else None


def fmt_ms(x):
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f} ms"
    if x >= 1:
        return f"{x:.2f} ms"
    return f"{x * 1000:.0f} µs"


def verdict(ok):
    return "**met**" if ok else "**not met**"


NOTES = """## Method

- **C++ clustering**: `zs_kmeans_bench` (Google Benchmark, `BM_Cluster/n/d/k/maxIterations/threads`,
  real time, median of the repetitions); points generated once outside the timed loop, the
  generator copied after generation so each clustering draws the same k-means++ stream as Java.
- **Results compared**: `zs_kmeans_driver cluster ...` (a static binary, linked like the function
  binaries) prints sizes, sse bits and every center's bits for threads 1 and 2;
  `bench/peers/KMeansBench.java` prints the same for Commons Math 3.6.1; the script compares them
  field by field. The driver's `VmHWM` after clustering n=1000000 d=16 is the peak-RSS figure
  (static binary, so it includes the process itself: ~1 MiB).
- **Commons Math**: one JVM per shape, `KMeansBench N D K 42 WARMUPS RUNS MAX_ITERATIONS`; the
  timed runs come after the warm-ups in the same JVM (≥ 5); only `cluster()` is timed; default
  flags and `-XX:+UseSerialGC` for the two smaller shapes, the faster is compared (default flags
  only for n=1000000, to keep the run within minutes).
- **C++ CPU time**: the same runs' process CPU time (`MeasureProcessCPUTime`: both threads
  of a 2-thread run, spinning workers included).
- **Peak**: `zs_fp_peak_bench`: 6 independent `vmulpd` chains and 6 `vaddpd` chains (AVX-512
  on zmm, AVX2 on ymm) or `mulsd`/`addsd` (scalar), counted per CPU-second (Google Benchmark's
  rate counters), so a core shared with another process does not lower it.
- **Assignment step vs peak**: `BM_AssignDense/1000000/16/32/ISA`: one assignment pass with
  pruning off (every point against every center, the vector kernel with its tile
  transposition, compare and select, and the bookkeeping of a pass), n·k·d·3 flops, with each
  ISA's kernels (`ClustererOptions::isa`).
- **Kernel ISA**: the driver and benchmarks use the widest ISA the CPU runs
  (`functions/kmeans/engine/kernel_isa.h`); the tests and the Commons Math oracle run every
  ISA the CPU runs (baseline SSE2, AVX2, AVX-512 here; NEON is compiled by the arm64 build).
- **sin**: `zs_kmeans_driver sin 1.0 10000000` (the sin function's own `SinChain`, static glibc)
  and `zs_sin_c_loop 1.0 10000000` (`bench/sin_c_loop.c`, plain C, dynamic glibc), alternated;
  CPU time is the compared figure (wall time is shown too). Both resolve glibc's `sin` ifunc to
  the same variant, `__sin_fma` on this CPU (checked with gdb breakpoints on `__sin_fma`,
  `__sin_avx`, `__sin_fma4`, `__sin_sse2` in the static driver and in a dynamic C loop), so the
  bits are the same and so is the latency: nothing in `functions/sin` needed changing.
- **Generation**: `BM_GeneratePoints` times `MersenneTwister(42)` + `GeneratePoints(n, d)`,
  allocation and first-touch page faults included (what an invocation pays).

## Notes

- **Before/after of point generation** (measured apart, same machine, same day, a driver calling
  `GeneratePoints(1000000, 16)` 5 times; identical output hash): before (one `NextDouble()` per
  coordinate into a zeroed `std::vector`) 208–285 ms = 13–18 ns per double; after 53–84 ms =
  3.3–5.3 ns per double. The SIMD kernel alone went from ~7.5 ns to ~1.0–1.4 ns per double
  (into an L1-resident buffer). What remains is mostly writing 122 MiB to fresh memory:
  zeroing 128 MB of fresh 4 KiB pages costs ~140 ms on this VM (page faults), 28–37 ms with
  transparent huge pages, 10–15 ms when the memory is already mapped. The first huge-page
  allocation after a while can take 200–400 ms (the VM's host faulting in memory); that is
  the spread seen in `generateMs` of the driver.
- **How generation is made fast, bit for bit**: the 624-word MT19937 state is regenerated 8
  words at a time (GCC vector extensions, one AVX2 register; AVX2 picked at run time with
  `__builtin_cpu_supports`, SSE2/NEON otherwise) with the reference dependency order
  (word i reads the old word i+1 and, for i ≥ 227, the new word i−227, 227 words behind); the
  whole block is tempered at once into a buffer; `nextDouble()` pairs are converted 4 at a
  time with `bits(1.0) | v` then `− 1.0` (exact; no 64-bit int→double conversion needed).
  `GeneratePoints` writes the coordinates once (chunks through an L1 buffer, no zero-fill)
  and asks for transparent huge pages (`madvise`) for arrays ≥ 4 MiB. Tests: every start
  offset 0..624 × lengths around the 312-pair block against `std::mt19937` + the scalar
  formula; mixed bulk/single/nextInt draws; GeneratePoints vs NextDouble; ASan+UBSan and the
  baseline (non-AVX2) kernels (`-DZS_MT_BASELINE_ONLY`).
- **Where the time goes** (1 thread, AVX-512 kernels, `perf record` and per-phase CPU timers on
  this machine, 2026-12-07, after the kernel rework of that evening). n=100000 d=3 k=8 (~11 ms):
  k-means++ seeding ~1.2 ms (7 distance passes and Java's 7 dependent sums, the floor of a
  step), the 46 pruned assignment passes ~6 ms (pruning leaves ~11 % of the distances; the
  rest is the float bound update ~12 %, the tightening of failed bounds ~16 %, whose scattered
  points come from L3, and the tile scans ~20 %), the centroid chains ~3.5 ms (~32 %: serial
  per cluster to keep Java's order of additions, each addition waiting on the previous one of
  its cluster). n=1000 d=2 k=4 (~30 µs): centroid chains ~15 %, tightening ~14 %, seeding
  ~20 %, bound update ~8 %, tile scans ~24 %, the sse and the rest ~15 %. n=1000000 d=16
  k=32 (~560–750 ms, `perf record` of `BM_Cluster`): seeding ~34 % (31 passes over the
  122 MiB of points; streaming the data alone takes ~4.5 ms a pass here, so its memory floor
  is ~140 ms, and the triangle-inequality skip finds under 1 % to skip on uniform
  16-dimensional data), the full scans with the dot-product filter ~21 % (~45 % of the points
  per pruned pass), the tightening of failed bounds ~19 % (92 % of the points fail the float
  update: it waits on their rows from memory), the centroid sums ~6 %, the bound update ~5 %,
  page clearing of the step's arrays ~3 %. Memory at n=1000000: the
  Lloyd phase keeps an int32 assignment and two 16-bit outward-rounded bounds per point (8 MB)
  beside the points (float bounds, used below 2^19 points, would make it 12 MB).
- **2 threads** only help when the second vCPU is idle: the pool's workers spin between the
  short phases of a pass, and on this shared machine the other vCPU is often busy (see the load
  averages), which turns the spin into waiting.
- **Noise**: 2 vCPUs shared with other jobs (see the load averages); wall times drift by
  tens of percent within minutes. Ratios come from one run; CPU-time figures (peak, sin) are
  the steadier ones.
"""


def bits_to_double(text):
    """'"0x3ff0000000000000"' or '0x...' -> the double with those bits."""
    return struct.unpack("<d", int(text.strip('"'), 16).to_bytes(8, "little"))[0]


def main():
    raw, out_json, out_md = sys.argv[1:4]
    problems = []

    # --- CPU peak (non-fused multiply + add), per CPU-second (Google Benchmark's rate counters
    # divide by CPU time, so another process sharing the core does not lower it).
    _, fp_runs = gbench_runs(os.path.join(raw, "fp_peak.json"))
    peak = {}
    for label, prefix in (("avx512", "BM_Avx512MulAdd"), ("avx2", "BM_Avx2MulAdd"),
                          ("scalar", "BM_ScalarMulAdd")):
        entries = find_run(fp_runs, prefix)
        peak[label] = max(e["flops"] for e in entries) if entries else None

    # --- Google Benchmark: generation and clustering.
    gctx, g = gbench_runs(os.path.join(raw, "gbench.json"))
    gen = {}
    for key, prefix, count in (("n100000_d3", "BM_GeneratePoints/100000/3", 300000),
                               ("n1000000_d16", "BM_GeneratePoints/1000000/16", 16000000)):
        entries = find_run(g, prefix)
        ms = median_ms(entries)
        gen[key] = {"median_ms": ms, "min_ms": min(to_ms(e) for e in entries) if entries else None,
                    "ns_per_double": ms * 1e6 / count if ms else None}
    l1 = find_run(g, "BM_NextDoublesL1")
    gen["kernel_ns_per_double"] = (1e9 / statistics.median(e["doubles"] for e in l1)) if l1 else None
    nd = find_run(g, "BM_NextDouble/") or [e for n, es in g.items() if n == "BM_NextDouble" for e in es]
    gen["next_double_ns"] = median_ms(nd, "cpu_time") * 1e6 if nd else None

    cpp = {}
    for shape, args in GBENCH_ARGS.items():
        cpp[shape] = {}
        for threads in (1, 2):
            entries = find_run(g, f"BM_Cluster/{args}/{threads}")
            if entries:
                cpp[shape][threads] = {"median_ms": median_ms(entries),
                                       "median_cpu_ms": median_ms(entries, "cpu_time"),
                                       "min_ms": min(to_ms(e) for e in entries),
                                       "passes": int(entries[-1]["passes"]),
                                       "repetitions": len(entries)}

    # One dense assignment pass per kernel ISA (n=1000000 d=16 k=32) against that ISA's peak
    # (the baseline build is SSE2 on x86-64: 2 lanes, compared with the scalar chains x 2).
    # The dot-product filter's pass counts the same n·k·d·3 flops (the exact kernel's work), so
    # its fraction is of the work it replaces, not of the FMAs it runs.
    assign_dense = {}
    for index, isa in enumerate(ISAS):
        for dot in (0, 1):
            entries = find_run(g, f"BM_AssignDense/1000000/16/32/{index}/{dot}")
            if not entries:
                continue
            flops = statistics.median(e["flops"] for e in entries)
            isa_peak = peak.get(isa) if isa != "baseline" else (peak["scalar"] or 0) * 2
            assign_dense[isa + (" dot-product filter" if dot else "")] = {
                "median_ms": median_ms(entries), "flops_per_second": flops,
                "fraction_of_peak": flops / isa_peak if isa_peak and not dot else None}
    # Exact kernel vs dot-product filter on smaller shapes (AVX-512): where the filter pays.
    dot_shapes = {}
    for shape in ("100000/3/8", "100000/4/16", "100000/6/16", "100000/8/16", "1000000/16/32"):
        exact = find_run(g, f"BM_AssignDense/{shape}/2/0")
        dot = find_run(g, f"BM_AssignDense/{shape}/2/1")
        if exact and dot:
            dot_shapes[shape] = {"exact_ms": median_ms(exact), "dot_ms": median_ms(dot)}
    seeding = {}
    for key, prefix in (("medium", "BM_Seeding/100000/3/8"), ("large", "BM_Seeding/1000000/16/32")):
        entries = find_run(g, prefix)
        if entries:
            seeding[key] = {"median_ms": median_ms(entries), "steps": int(entries[-1]["steps"])}

    fast = {}
    for shape, args in GBENCH_ARGS.items():
        for threads in (1, 2):
            entries = find_run(g, f"BM_ClusterFast/{args}/{threads}")
            if entries:
                fast.setdefault(shape, {})[threads] = {
                    "median_ms": median_ms(entries), "min_ms": min(to_ms(e) for e in entries),
                    "passes": int(entries[-1]["passes"]), "repetitions": len(entries)}

    # --- Driver results (static binary): identity across threads, RSS.
    driver = read_jsonl(os.path.join(raw, "driver.jsonl"))
    results = {}
    for r in driver:
        results.setdefault(r["shape"], []).append(r["driver"])
    for shape, rs in results.items():
        first = rs[0]
        for other in rs[1:]:
            for field in ("sizes", "sseBits", "centerBits", "iterations"):
                if other[field] != first[field]:
                    problems.append(f"{shape}: C++ {field} differ between threads "
                                    f"{first['threads']} and {other['threads']}")
        if not first.get("threadsApplied"):
            problems.append("ClustererOptions has no `threads`: the 2-thread figures are 1 thread")

    # --- Java.
    java_rows = read_jsonl(os.path.join(raw, "java.jsonl"))
    java = {}
    for row in java_rows:
        j = row["java"]
        j["flags"] = row["flags"]
        java.setdefault(row["shape"], []).append(j)
        c = results[row["shape"]][0]
        for field, jfield in (("sizes", "sizes"), ("sseBits", "sseBits"), ("centerBits", "centerBits")):
            if c[field] != j[jfield]:
                problems.append(f"{row['shape']}: {field} differ between C++ and Commons Math "
                                f"({row['flags']})")
    java_best = {s: min(js, key=lambda j: j["medianMs"]) for s, js in java.items()}

    # --- "mode":"fast" beside the exact result of the same shape (it may differ: by how much).
    fast_results = {}
    for row in read_jsonl(os.path.join(raw, "driver_fast.jsonl")):
        shape, fr = row["shape"], row["driver"]
        exact = results[shape][0]
        sse_fast, sse_exact = bits_to_double(fr["sseBits"]), bits_to_double(exact["sseBits"])
        fast_results[shape] = {
            "mode": fr.get("mode"), "iterations": fr["iterations"],
            "exact_iterations": exact["iterations"],
            "sse_relative_difference": abs(sse_fast - sse_exact) / abs(sse_exact) if sse_exact else None,
            "points_in_other_clusters": sum(abs(a - b) for a, b in zip(fr["sizes"], exact["sizes"])) // 2,
            "identical_to_exact": fr["sseBits"] == exact["sseBits"] and fr["sizes"] == exact["sizes"],
            "timing": fast.get(shape, {}),
        }
        if fr.get("mode") != "fast":
            problems.append(f"{shape}: the fast mode fell back to {fr.get('mode')}")

    # --- sin.
    sin_rows = read_jsonl(os.path.join(raw, "sin.jsonl"))
    sin = {}
    for who in ("function", "c_loop"):
        rs = [r["r"] for r in sin_rows if r["who"] == who]
        sin[who] = {"median_ms": statistics.median(r["ms"] for r in rs),
                    "median_cpu_ms": statistics.median(r["cpuMs"] for r in rs),
                    "runs": len(rs), "bits": sorted({r["xBits"] for r in rs})}
        if sin[who]["bits"] != [SIN_BITS]:
            problems.append(f"sin ({who}): bits {sin[who]['bits']} != {SIN_BITS}")
    sin["ratio_cpu"] = sin["function"]["median_cpu_ms"] / sin["c_loop"]["median_cpu_ms"]
    sin["ratio_wall"] = sin["function"]["median_ms"] / sin["c_loop"]["median_ms"]
    _, gs = gbench_runs(os.path.join(raw, "gbench_sin.json"))
    gs_fn = median_ms(find_run(gs, "BM_SinChainFunction"), "cpu_time")
    gs_c = median_ms(find_run(gs, "BM_SinChainCLoop"), "cpu_time")
    sin["gbench"] = {"function_cpu_ms": gs_fn, "c_loop_cpu_ms": gs_c,
                     "ratio": gs_fn / gs_c if gs_fn and gs_c else None}

    # --- Figures vs targets.
    figures = {}
    for shape in SHAPES:
        c1 = cpp[shape].get(1)
        c2 = cpp[shape].get(2)
        jb = java_best.get(shape)
        f = {"cpp_1t_ms": c1 and c1["median_ms"], "cpp_2t_ms": c2 and c2["median_ms"],
             "java_ms": jb and jb["medianMs"], "java_flags": jb and jb["flags"],
             "passes": c1 and c1["passes"]}
        if c1 and jb:
            f["speedup_1t"] = jb["medianMs"] / c1["median_ms"]
        if c1 and c2:
            f["threads_speedup"] = c1["median_ms"] / c2["median_ms"]
            f["cpp_1t_cpu_ms"] = c1.get("median_cpu_ms")
            f["cpp_2t_cpu_ms"] = c2.get("median_cpu_ms")
        if c1 and shape == "large":
            passes = c1["passes"]
            f["cpp_1t_ms_per_iteration"] = c1["median_ms"] / passes
            f["java_ms_per_iteration"] = jb["medianMs"] / passes if jb else None
            if c2:
                f["cpp_2t_ms_per_iteration"] = c2["median_ms"] / passes
            # Dense-equivalent distance work: n*k distances of d terms, 3 flops each (sub, mul,
            # add), per pass (seeding included in the time, so this is a lower bound).
            flops = 1_000_000 * 32 * 16 * 3 * passes
            f["dense_equiv_gflops_1t"] = flops / (c1["median_ms"] / 1e3) / 1e9
            top = peak.get(results["large"][0].get("isa", "avx2")) or peak["avx2"]
            if top:
                f["fraction_of_peak_1t"] = flops / (c1["median_ms"] / 1e3) / top
            if c2 and top:
                f["fraction_of_2x_peak_2t"] = flops / (c2["median_ms"] / 1e3) / (2 * top)
        fr = fast_results.get(shape)
        if fr and fr["timing"].get(1):
            f1 = fr["timing"][1]["median_ms"]
            f["fast_1t_ms"] = f1
            f["fast_speedup_1t"] = jb["medianMs"] / f1 if jb else None
            f["fast_over_exact_1t"] = c1["median_ms"] / f1 if c1 else None
            if fr["timing"].get(2):
                f["fast_2t_ms"] = fr["timing"][2]["median_ms"]
                f["fast_speedup_2t"] = jb["medianMs"] / f["fast_2t_ms"] if jb else None
        figures[shape] = f
    large_driver = results["large"][0]
    rss_bytes = large_driver["vmHwmKiB"] * 1024
    rss_limit = large_driver["dataBytes"] + RSS_SLACK_BYTES
    targets = {
        "medium_1t_vs_java_50x": figures["medium"].get("speedup_1t", 0) >= TARGET_MEDIUM,
        "small_1t_vs_java_30x": figures["small"].get("speedup_1t", 0) >= TARGET_SMALL,
        "large_per_iteration_30x": figures["large"].get("speedup_1t", 0) >= TARGET_LARGE,
        "sin_le_1.05x_c_loop": sin["ratio_cpu"] <= TARGET_SIN,
        "rss_le_data_plus_10MiB": rss_bytes <= rss_limit,
    }

    report = {
        "started": read_text(os.path.join(raw, "started")),
        "finished": read_text(os.path.join(raw, "finished")),
        "load_before": read_text(os.path.join(raw, "load_before")),
        "load_after": read_text(os.path.join(raw, "load_after")),
        "commit": read_text(os.path.join(raw, "commit")),
        "uncommitted_files_in_kmeans_functions_bench": int(read_text(os.path.join(raw, "dirty"), "0") or 0),
        "command": read_text(os.path.join(raw, "command")),
        "machine": machine(),
        "gbench_context": {k: gctx.get(k) for k in ("num_cpus", "mhz_per_cpu", "library_build_type")},
        "fp_peak_flops_per_cpu_second": peak,
        "assign_dense_exact_vs_dot": dot_shapes,
        "generation": gen,
        "cpp_gbench": cpp,
        "cpp_driver": results,
        "java": java,
        "figures": figures,
        "assign_dense_n1000000_d16_k32": assign_dense,
        "seeding": seeding,
        "kernel_isa": results["large"][0].get("isa"),
        "fast_mode": fast_results,
        "sin": sin,
        "rss": {"vm_hwm_bytes": rss_bytes, "data_bytes": large_driver["dataBytes"],
                "limit_bytes": rss_limit},
        "targets_met": targets,
        "problems": problems,
    }
    write_outputs(out_json, out_md, report, markdown(report), problems)
    sys.exit(1 if any("differ" in p or "bits" in p for p in problems) else 0)


def dense_pass_text(isa, x, passes):
    """One ISA's dense pass for the report: its share of that ISA's non-fused peak, or, for the
    dot-product filter (FMA work), its speed against the same ISA's exact kernel."""
    if isa.endswith(" dot-product filter"):
        exact = passes.get(isa[: -len(" dot-product filter")])
        speedup = (f" = **{exact['median_ms'] / x['median_ms']:.2f}x** the exact kernel's speed"
                   if exact else "")
        return f"{isa} {fmt_ms(x['median_ms'])}{speedup}"
    note = " (SSE2, against twice the scalar peak)" if isa == "baseline" else ""
    return (f"{isa} {fmt_ms(x['median_ms'])} = {x['flops_per_second'] / 1e9:.1f} GFLOP/s = "
            f"**{(x['fraction_of_peak'] or 0) * 100:.0f} %** of its peak{note}")


def markdown(r):
    m = r["machine"]
    f = r["figures"]
    gen = r["generation"]
    sin = r["sin"]
    t = r["targets_met"]
    peak = r["fp_peak_flops_per_cpu_second"]
    out = []
    w = out.append
    w("# k-means and sin: zerostart vs Commons Math 3.6.1\n")
    w("Generated by `bench/run_kmeans_bench.sh` (raw figures: `kmeans-results.json` beside this "
      "file). Every ratio comes from one run on one machine. *Method* and *Notes* at the end "
      "come from `NOTES` in `bench/kmeans_report.py`.\n")
    w(f"- Run: {r['started']} → {r['finished']}; commit `{r['commit'][:12]}` "
      f"(+{r['uncommitted_files_in_kmeans_functions_bench']} uncommitted files under "
      f"functions, bench at the time of the run)")
    w(f"- Command: `{r['command'].strip()}`")
    w(f"- Machine: {m['cpu_model']} (family/model {m['cpu_family_model']}), {m['cpus']} vCPU "
      f"{m['hypervisor']}, SIMD {', '.join(m['simd'])}; kernel {m['kernel']}; {m['compiler']}; "
      f"{m['java']}")
    w(f"- Load average (1/5/15 min) before: `{r['load_before']}`, after: `{r['load_after']}` "
      f"(2 vCPUs shared with other jobs)\n")

    w("## Targets\n")
    w("| figure | target | result | |")
    w("|---|---|---|---|")
    w(f"| n=100000 d=3 k=8, 1 thread vs warm Commons Math | ≥ 50x | "
      f"{f['medium'].get('speedup_1t', 0):.1f}x | {verdict(t['medium_1t_vs_java_50x'])} |")
    w(f"| n=1000 d=2 k=4, 1 thread vs warm Commons Math | ≥ 30x | "
      f"{f['small'].get('speedup_1t', 0):.1f}x | {verdict(t['small_1t_vs_java_30x'])} |")
    w(f"| n=1000000 d=16 k=32, per iteration (seeding included) vs Commons Math | ≥ 30x | "
      f"{f['large'].get('speedup_1t', 0):.1f}x | {verdict(t['large_per_iteration_30x'])} |")
    w(f"| sin 10^7 chain vs plain C loop over glibc sin (CPU time) | ≤ 1.05x | "
      f"{sin['ratio_cpu']:.3f}x | {verdict(t['sin_le_1.05x_c_loop'])} |")
    rss = r["rss"]
    w(f"| peak RSS, n=1000000 d=16 (static driver) | ≤ data + 10 MiB = "
      f"{rss['limit_bytes'] / 2**20:.1f} MiB | {rss['vm_hwm_bytes'] / 2**20:.1f} MiB | "
      f"{verdict(t['rss_le_data_plus_10MiB'])} |")
    ident = "yes" if not [p for p in r["problems"] if "differ" in p] else "**NO**"
    w(f"| results identical (sizes, sse bits, center bits; C++ 1 and 2 threads, Commons Math) | "
      f"identical | {ident} | |\n")

    w("## Clustering (generation excluded, as the function's `clusterMs`)\n")
    w(f"Kernels: `{r.get('kernel_isa')}` (the widest this CPU runs; `ZS_KMEANS_ISA` forces "
      "another). CPU time is the process's, both threads included.\n")
    w("| shape | passes | C++ 1 thread (CPU) | C++ 2 threads (CPU) | 2t / 1t | Commons Math warm (flags) "
      "| Java / C++ 1t |")
    w("|---|---|---|---|---|---|---|")
    for shape, label in SHAPES.items():
        x = f[shape]
        w(f"| {label} | {x.get('passes')} | {fmt_ms(x.get('cpp_1t_ms'))} "
          f"({fmt_ms(x.get('cpp_1t_cpu_ms'))}) | "
          f"{fmt_ms(x.get('cpp_2t_ms'))} ({fmt_ms(x.get('cpp_2t_cpu_ms'))}) | "
          f"{x.get('threads_speedup', 0):.2f}x | "
          f"{fmt_ms(x.get('java_ms'))} ({x.get('java_flags')}) | {x.get('speedup_1t', 0):.1f}x |")
    lg = f["large"]
    w("")
    w(f"Per iteration, n=1000000 d=16 k=32 (cluster time / {lg.get('passes')} passes, k-means++ "
      f"seeding included): C++ {fmt_ms(lg.get('cpp_1t_ms_per_iteration'))} (1 thread), "
      f"{fmt_ms(lg.get('cpp_2t_ms_per_iteration'))} (2 threads); Commons Math "
      f"{fmt_ms(lg.get('java_ms_per_iteration'))}.\n")
    w("### Distance throughput vs this CPU's non-fused multiply+add peak\n")
    w(f"- Peak (`zs_fp_peak_bench`, 6 vmulpd + 6 vaddpd chains, per CPU-second): AVX-512 "
      f"**{(peak.get('avx512') or 0) / 1e9:.1f} GFLOP/s**, AVX2 **{peak['avx2'] / 1e9:.1f} "
      f"GFLOP/s** per core, scalar {peak['scalar'] / 1e9:.1f} GFLOP/s.")
    ad = r.get("assign_dense_n1000000_d16_k32", {})
    if ad:
        w("- One dense assignment pass, n=1000000 d=16 k=32 (`BM_AssignDense`: every point "
          "against every center, n·k·d·3 flops), per kernel ISA: "
          + "; ".join(dense_pass_text(isa, x, ad) for isa, x in ad.items())
          + ". The dot-product filter does the same assignment with one FMA per coordinate and "
          "center: its time is compared with the exact kernel's, not with the non-fused peak.")
    ds = r.get("assign_dense_exact_vs_dot", {})
    if ds:
        w("- Exact kernel vs dot-product filter, one dense pass on AVX-512 (`BM_AssignDense`, "
          "n/d/k: exact → filter): "
          + "; ".join(f"{shape} {fmt_ms(x['exact_ms'])} → {fmt_ms(x['dot_ms'])}"
                      for shape, x in ds.items())
          + ". The engine runs the filter from d ≥ 4 and k ≥ 16 on.")
    sd = r.get("seeding", {})
    if sd:
        w("- k-means++ seeding alone (`BM_Seeding`, 1 thread): "
          + "; ".join(f"{label} {fmt_ms(sd[key]['median_ms'])} ({sd[key]['steps']} distance "
                      "passes)" for key, label in (("medium", "n=100000 d=3 k=8"),
                                                   ("large", "n=1000000 d=16 k=32"))
                      if key in sd) + ".")
    if lg.get("dense_equiv_gflops_1t"):
        w(f"- k-means n=1000000 d=16 k=32, dense-equivalent work (n·k·d·3 flops per pass: "
          f"sub, mul, add): {lg['dense_equiv_gflops_1t']:.2f} GFLOP/s on 1 thread = "
          f"**{lg.get('fraction_of_peak_1t', 0) * 100:.1f} %** of the {r.get('kernel_isa')} peak"
          + (f"; 2 threads: {lg['fraction_of_2x_peak_2t'] * 100:.1f} % of 2 cores' peak"
             if lg.get("fraction_of_2x_peak_2t") else "")
          + ". Pruned distances count as done (the figure is what a dense Lloyd pass would "
          "need to reach the same time), and wall time includes seeding and centroid updates.\n")

    w("## `\"mode\":\"fast\"`: measured before deciding\n")
    w("The optional fast arithmetic (`functions/kmeans/engine/fast_assignment.h`: float32 scores "
      "‖c‖² − 2x·c with FMA, 16 points × 4 centers per register block) replaces only the "
      "assignment step; seeding, centroids and sse stay exact. Same requests, same run:\n")
    w("| shape | exact 1 thread | fast 1 thread | fast 2 threads | exact time / fast time | Java / fast (1t, 2t) "
      "| passes fast (exact) | points in other clusters | sse relative difference |")
    w("|---|---|---|---|---|---|---|---|---|")
    for shape, label in SHAPES.items():
        fr = r.get("fast_mode", {}).get(shape)
        x = f[shape]
        if not fr or not x.get("fast_1t_ms"):
            continue
        ratio_2t = f", {x['fast_speedup_2t']:.1f}x" if x.get("fast_speedup_2t") else ""
        w(f"| {label} | {fmt_ms(x.get('cpp_1t_ms'))} | {fmt_ms(x['fast_1t_ms'])} | "
          f"{fmt_ms(x.get('fast_2t_ms'))} | {x['fast_over_exact_1t']:.2f}x | "
          f"{x.get('fast_speedup_1t') or 0:.1f}x{ratio_2t} | {fr['iterations']} ({fr['exact_iterations']}) | "
          f"{fr['points_in_other_clusters']} | {fr['sse_relative_difference']:.1e} |")
    w("")

    w("## Point generation (MersenneTwister → nextDouble(), Commons Math's stream)\n")
    w("| | median | ns per double |")
    w("|---|---|---|")
    for key, label in (("n100000_d3", "GeneratePoints n=100000 d=3"),
                       ("n1000000_d16", "GeneratePoints n=1000000 d=16 (16M doubles, 32M outputs)")):
        x = gen[key]
        w(f"| {label} | {fmt_ms(x['median_ms'])} | {x['ns_per_double']:.2f} |")
    w(f"| NextDoubles into an L1-resident buffer (the SIMD kernel alone) | | "
      f"{gen['kernel_ns_per_double']:.2f} |")
    w(f"| NextDouble() one at a time | | {gen['next_double_ns']:.2f} |\n")

    w("## sin, 10^7 dependent calls from 1.0\n")
    w("| | median wall | median CPU | bits |")
    w("|---|---|---|---|")
    w(f"| the sin function's `SinChain` in a static binary (zs_kmeans_driver) | "
      f"{fmt_ms(sin['function']['median_ms'])} | {fmt_ms(sin['function']['median_cpu_ms'])} | "
      f"`{', '.join(sin['function']['bits'])}` |")
    w(f"| plain C loop over glibc `sin`, dynamic (zs_sin_c_loop) | "
      f"{fmt_ms(sin['c_loop']['median_ms'])} | {fmt_ms(sin['c_loop']['median_cpu_ms'])} | "
      f"`{', '.join(sin['c_loop']['bits'])}` |")
    gb = sin["gbench"]
    if gb.get("ratio"):
        w(f"\nSame process (zs_kmeans_bench, CPU time): SinChain {fmt_ms(gb['function_cpu_ms'])} vs "
          f"C loop {fmt_ms(gb['c_loop_cpu_ms'])} = {gb['ratio']:.3f}x. Interleaved processes: "
          f"{sin['ratio_cpu']:.3f}x CPU, {sin['ratio_wall']:.3f}x wall "
          f"({sin['function']['runs']} runs each).\n")
    if r["problems"]:
        w("## Problems found by the script\n")
        for p in r["problems"]:
            w(f"- {p}")
        w("")
    w(NOTES)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
