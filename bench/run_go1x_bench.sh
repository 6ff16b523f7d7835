#!/bin/bash
# The go1.x benchmark: zerostart's go1.x server measured beside Go's own
# net/rpc, in one run, plus the Gob codec's throughput. Writes docs/benchmarks/go1x.md and
# docs/benchmarks/go1x-results.json.
#
#   bench/run_go1x_bench.sh [BUILD_DIR]       (default: build; takes about a minute)
#
# 1. build/bin/zs_gob_bench (Google Benchmark): decode of one net/rpc call carrying a 1 MiB
#    InvokeRequest, encode of a 1 MiB InvokeResponse reply, and both at 16 B.
# 2. build/go-bin/rpc_bench: Go's net/rpc client -> a Go net/rpc echo server (separate process)
#    and -> build/bin/echo in go1.x mode, interleaved round-robin, 16 B / 1 KiB / 64 KiB / 1 MiB.
# Needs a Release build of BUILD_DIR with the targets echo, zs_gob_bench and zs_go_programs, and
# python3. Environment overrides:
#   ZS_BENCH_SAMPLES=N   rpc_bench samples per size per peer (default 2000; 1 MiB gets N/4)
#   ZS_BENCH_OUT_DIR=dir where go1x.md and go1x-results.json go (default docs/benchmarks)
# shellcheck source=bench/preamble.sh
source "$(dirname "$0")/preamble.sh" "${1:-}"

samples="${ZS_BENCH_SAMPLES:-2000}"
raw="$(mktemp -d "${TMPDIR:-/tmp}/zs-go1x-bench.XXXXXX")"
trap 'rm -rf "$raw"' EXIT

# The benchmark-only programs are outside `all`: build them (a no-op when they are up to date).
cmake --build "$build" --target bench_tools > /dev/null
for f in "$build/bin/echo" "$build/bin/zs_gob_bench" "$build/go-bin/rpc_bench"; do
  [ -x "$f" ] || { echo "run_go1x_bench: $f is missing (build echo zs_gob_bench zs_go_programs in $build)" >&2; exit 1; }
done

cat /proc/loadavg > "$raw/load_before"
date -u +%Y-%m-%dT%H:%M:%SZ > "$raw/started"
gob_cmd=("$build/bin/zs_gob_bench" --benchmark_repetitions=5 --benchmark_min_time=0.2
         --benchmark_format=json --benchmark_out="$raw/gob.json" --benchmark_out_format=json)
rpc_cmd=("$build/go-bin/rpc_bench" -zerostart "$build/bin/echo" -sizes 16,1024,65536,1048576
         -samples "$samples" -warmup 100 -json "$raw/rpc.json")
log "codec: ${gob_cmd[*]}"
"${gob_cmd[@]}" > /dev/null
log "net/rpc: ${rpc_cmd[*]}"
"${rpc_cmd[@]}" | tee "$raw/rpc.txt" >&2
cat /proc/loadavg > "$raw/load_after"

mkdir -p "$out_dir"
python3 - "$raw" "$out_dir" "$repo" "$build" "${gob_cmd[*]}" "${rpc_cmd[*]}" <<'PY'
import json, os, platform, re, subprocess, sys

raw, out_dir, repo, build, gob_cmd, rpc_cmd = sys.argv[1:7]
rel = lambda s: s.replace(raw + "/", "$TMP/").replace(repo + "/", "")

def run(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, check=False)
        return r.stdout + r.stderr
    except OSError:
        return ""

lscpu = run(["lscpu"])
model = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
mem = re.search(r"^MemTotal:\s*(\d+) kB", open("/proc/meminfo").read(), re.M)
commit = run(["git", "-C", repo, "rev-parse", "--short", "HEAD"]).strip().splitlines()
dirty = run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"]).strip()
machine = {
    "cpu_model": model.group(1) if model else platform.processor(),
    "cpus": os.cpu_count(),
    "kernel": platform.release(),
    "mem_gib": round(int(mem.group(1)) / 1048576, 1) if mem else None,
    "hypervisor": "KVM" if "KVM" in lscpu else "",
    "cxx": run(["c++", "--version"]).splitlines()[0] if run(["c++", "--version"]) else None,
}

gob = json.load(open(os.path.join(raw, "gob.json")))
codec = {}
for b in gob["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    name = b["run_name"].replace("BM_", "")
    codec[name] = {"ns": b["real_time"] if b["time_unit"] == "ns" else None,
                   "time": b["real_time"], "time_unit": b["time_unit"],
                   "gb_per_s": b["bytes_per_second"] / 1e9,
                   "stream_bytes": int(b.get("stream_bytes", 0))}
rpc = json.load(open(os.path.join(raw, "rpc.json")))
results = {
    "started_utc": open(os.path.join(raw, "started")).read().strip(),
    "commit": (commit[0] if commit else "") + (" + uncommitted changes" if dirty else ""),
    "machine": machine,
    "load_before": open(os.path.join(raw, "load_before")).read().split()[:3],
    "load_after": open(os.path.join(raw, "load_after")).read().split()[:3],
    "commands": {"codec": rel(gob_cmd), "net_rpc": rel(rpc_cmd)},
    "codec_median_of_5": codec,
    "net_rpc": rpc,
}
with open(os.path.join(out_dir, "go1x-results.json"), "w") as f:
    json.dump(results, f, indent=2)
    f.write("\n")

def human(n):
    if n >= 1 << 20 and n % (1 << 20) == 0: return f"{n >> 20} MiB"
    if n >= 1 << 10 and n % (1 << 10) == 0: return f"{n >> 10} KiB"
    return f"{n} B"

def us(x):
    return f"{x / 1000:.2f} ms" if x >= 1000 else f"{x:.0f} µs"

rows = []
all_met = True
for s in rpc["sizes"]:
    met = s["ratio_p50"] <= 1.0
    all_met &= met
    g, z = s["go"], s["zerostart"]
    rows.append(f"| {human(s['bytes'])} | {s['samples']} | {us(g['p50_us'])} | {us(z['p50_us'])} | "
                f"**{s['ratio_p50']:.2f}** | {us(g['p90_us'])} | {us(z['p90_us'])} | {s['ratio_p90']:.2f} | "
                f"{us(g['min_us'])} | {us(z['min_us'])} | {'yes' if met else 'NO'} |")
dec = codec.get("DecodeInvokeRequest_1MiB", {}).get("gb_per_s", 0)
codec_rows = []
for name, c in codec.items():
    t = c["time"]
    codec_rows.append(f"| `{name}` | {c['stream_bytes']} | {t:,.0f} {c['time_unit']} | {c['gb_per_s']:.2f} GB/s |")

m = machine
md = f"""# go1.x benchmark: zerostart's net/rpc server beside Go's own

The targets: *measured in one run beside Go's own net/rpc (Go client → Go server vs Go client →
zerostart function), 16 B, 1 KiB, 64 KiB, 1 MiB payloads: zerostart's p50 ≤ Go's p50 at every
size. Gob decode throughput of a 1 MiB `InvokeRequest` ≥ 1 GB/s.*

This file is written by `bench/run_go1x_bench.sh` (raw results:
[`go1x-results.json`](go1x-results.json)). Run of {results['started_utc']}, working tree at
{results['commit']}, Release build.

## Verdict

| target | measured | met |
|---|---|---|
| p50 zerostart ≤ p50 Go at 16 B, 1 KiB, 64 KiB, 1 MiB | ratios {', '.join(f"{s['ratio_p50']:.2f}" for s in rpc['sizes'])} | {'yes, every size' if all_met else 'NO (see table)'} |
| Gob decode of a 1 MiB `InvokeRequest` ≥ 1 GB/s | {dec:.1f} GB/s | {'yes' if dec >= 1 else 'NO'} |

## Go net/rpc client → Go net/rpc server vs → zerostart `echo` (go1.x mode)

One `rpc_bench` process ({rpc['go_version']}, GOMAXPROCS {rpc['gomaxprocs']}) holds one net/rpc
connection to each peer and calls `Function.Invoke` with one call in flight, alternating
A,B,B,A,… per sample (so machine noise hits both alike), after {rpc['warmup']} untimed calls per
size per peer. The time is `client.Call` (encode, write, server, read, decode) as Go's client
sees it. Ratio = zerostart / Go (≤ 1: zerostart as fast or faster).

- **go**: `rpc_bench -serve`, the same program re-executed as a separate process: net/rpc on
  127.0.0.1:`$_LAMBDA_SERVER_PORT`, service `Function`, `Invoke` copies `Payload` into the reply
  (no JSON parsing) — the same process model and work as zerostart's echo.
- **zerostart**: `build/bin/echo` (static, stripped) with `_LAMBDA_SERVER_PORT` set.
- Request: `Payload` of the given size (random letters), `RequestId`, `Deadline`,
  `InvokedFunctionArn`; every 64th reply is checked byte for byte.

| payload | samples/peer | p50 Go | p50 zerostart | ratio p50 | p90 Go | p90 zerostart | ratio p90 | min Go | min zerostart | p50 met |
|---|---|---|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

## Gob codec (Google Benchmark, median of 5 repetitions)

Decode: one net/rpc call as stream bytes (`Request` header + `InvokeRequest`, type definitions
already received as on a kept connection) fed in 64 KiB pieces to a `gob::Decoder`, decoded and
bound to `go1x::InvokeRequest`. Encode: `Response` header + `InvokeResponse` appended by a
`gob::Encoder` to a reused buffer. Bytes/s counts the stream bytes of one call; caches are warm
(the payload is reused), so this is the codec's own cost, not the memory system's cold one.

| benchmark | stream bytes | time per call | throughput |
|---|---|---|---|
""" + "\n".join(codec_rows) + f"""

## Machine

- CPU: `{m['cpu_model']}`, **{m['cpus']} vCPU**{' under ' + m['hypervisor'] if m['hypervisor'] else ''};
  {m['mem_gib']} GiB RAM; kernel {m['kernel']}; {m['cxx']} (Release: `-O3`, generic x86-64).
- Shared: the machine is shared with other jobs that build C++ on the same vCPUs. 1-minute
  load average {results['load_before'][0]} before → {results['load_after'][0]} after (the
  benchmark itself accounts for ≈ 1). The interleaving makes the *ratios* robust to this;
  absolute times vary by ±30 % between runs on this VM. Go→Go measured on a machine of the
  same kind, another day, not in this run: 115 µs (16 B) and 1.6 ms (1 MiB) at p50 (Go 1.19);
  compare ratios, not those absolute figures.

## Command

```
bench/run_go1x_bench.sh {rel(build)}
# which runs:
{rel(gob_cmd)}
{rel(rpc_cmd)}
```

## What was fixed to get here

Before (same machine, same `rpc_bench`, 200 samples): at 1 MiB zerostart's p50 was 5.5 ms vs
Go's 3.7 ms (ratio 1.47); `rpc_client`'s single cold call took 12–15 ms. A `perf record` of the
echo binary under load showed ~45 % of its CPU in page faults (`clear_page_erms`,
`exc_page_fault`, `brk`) and ~27 % in `memmove`: every invoke copied the payload seven times
(read buffer → framer buffer → message string → Value → bound string; Value → body buffer → reply
buffer), each copy into a freshly allocated, freshly faulted 1 MiB block, and glibc returned the
heap top to the kernel after each invoke. Fixes (codec contracts unchanged):

- `gob::MessageFramer`: an uninitialised growable buffer kept between messages; read(2) writes
  into it in place (`PrepareAppend`/`CommitAppend`); messages are returned as views
  (`NextView`), so the decoder never copies a message body; pending bytes move at most once per
  consumed message (linear in any split).
- `go1x::GobStreamReader` (now used by the runtime's go1.x server instead of its own read loop)
  asks read(2) for all the missing bytes of a large message at once (`Decoder::missing()`).
- `gob::Encoder::Encode`: a sizing pass, then the length prefix and the body written straight
  into the caller's buffer (no separate body buffer and copy).
- `Go1xServer`: the payload is moved out of the decoded tree (`Value::TakeBytes`) into the
  Invocation, and the handler's payload moved into the reply Value; the per-connection reply
  buffer is kept up to 8 MiB (was 256 KiB, so every large reply re-allocated and re-faulted).

After: the same profile has ~3x fewer samples per invoke, page faults are gone from the top, and
what remains is the kernel's socket copies and the three copies that are inherent (into the
decoded Value, the handler's own copy in `echo`, into the reply buffer). Codec alone (this
benchmark, before → after): decode of the 1 MiB call 6.0 → ~10 GB/s, encode 6.3 → ~16 GB/s.

The single first call at each size that `build/go-bin/rpc_client` prints is not a steady-state
figure: measured alternately on the same minutes after the fix, 1 MiB / 5 MiB took 10–11 ms /
36–44 ms against zerostart's echo and 9–15 ms / 33–50 ms against the Go function
(`go-bin/go1x_function`): that first call is dominated by the Go client's own warm-up (buffer
growth, first gob decode of a large slice), the same for both servers.
"""
with open(os.path.join(out_dir, "go1x.md"), "w") as f:
    f.write(md)
print(f"run_go1x_bench: wrote {rel(os.path.join(out_dir, 'go1x.md'))} and go1x-results.json", file=sys.stderr)
PY
