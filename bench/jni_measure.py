"""Measurements of bench/run_jni_bench.sh: Java functions through the JNI bridge beside their
C++ twins, each under its own `zerostart serve`, in one run.

  jni_measure.py RAW_DIR ZEROSTART JSON_SPEC

JSON_SPEC: {"functions": {name: [argv...]}, "kmeans": [[shape, payload, warmups, runs]...],
"cold_repeats": N, "echo": {"payload": str, "warmups": N, "rounds": N, "per_round": N}}.
Writes RAW_DIR/kmeans.jsonl and RAW_DIR/echo.jsonl (one JSON object per measurement).

Cold start = spawn -> first response as the client sees it: a fresh `serve` (not --eager), so
the first invoke spawns the function; Init Duration and Duration come from its REPORT line.
Warm = REPORT Duration of invokes after the warm-ups, in the same process. Echo: client latency
per invoke (one kept-alive connection, one invoke in flight), the two peers alternated in
rounds so that machine noise hits both alike.
"""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_common import median, percentile  # noqa: E402

REPORT = re.compile(r"^REPORT RequestId: (\S+)\t(.*)$", re.M)


class Served:
    def __init__(self, zerostart, argv, log_path):
        self.log_path = log_path
        self.out = open(log_path, "w")
        self.err_path = log_path + ".err"
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen([zerostart, "serve", "--port", "0", "--no-limits", "--"] + argv,
                                     stdout=self.out, stderr=self.err, start_new_session=True)
        deadline = time.time() + 10
        port = None
        while time.time() < deadline and port is None:
            m = re.search(r"on http://127\.0\.0\.1:(\d+) \(", open(self.err_path).read())
            port = int(m.group(1)) if m else None
            time.sleep(0.01)
        if port is None:
            raise RuntimeError("serve did not start: " + open(self.err_path).read())
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def invoke(self, payload):
        """(seconds as the client saw it, status, body)."""
        body = payload.encode()
        start = time.perf_counter()
        self.conn.request("POST", "/2015-03-31/functions/function/invocations", body=body,
                          headers={"Content-Type": "application/json"})
        resp = self.conn.getresponse()
        data = resp.read()
        elapsed = time.perf_counter() - start
        if resp.getheader("X-Amz-Function-Error"):
            raise RuntimeError("function error: " + data[:300].decode(errors="replace"))
        return elapsed, data

    def reports(self):
        """The REPORT lines so far, as dicts, in order (waits briefly for the last to land)."""
        self.out.flush()
        time.sleep(0.05)
        text = open(self.log_path).read()
        out = []
        for m in REPORT.finditer(text):
            fields = dict(f.split(": ", 1) for f in m.group(2).strip("\t").split("\t") if ": " in f)
            out.append(fields)
        return out

    def stop(self):
        self.conn.close()
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=10)
        self.out.close()
        self.err.close()


def number(field):
    return float(field.split()[0])


def measure_kmeans(raw, zerostart, spec, out):
    for shape, payload, warmups, runs in spec["kmeans"]:
        for name in ("java_kmeans", "cpp_kmeans"):
            argv = spec["functions"][name]
            colds = []
            for rep in range(spec["cold_repeats"]):
                served = Served(zerostart, argv, f"{raw}/{name}_{shape}_{rep}.log")
                try:
                    cold_s, body = served.invoke(payload)
                    first = served.reports()[-1]
                    colds.append({"client_ms": cold_s * 1e3,
                                  "init_ms": number(first.get("Init Duration", "0 ms")),
                                  "duration_ms": number(first["Duration"]),
                                  "max_memory_mb": number(first["Max Memory Used"])})
                    if rep == 0:
                        for _ in range(warmups):
                            served.invoke(payload)
                        before = len(served.reports())
                        client = [served.invoke(payload)[0] * 1e3 for _ in range(runs)]
                        reports = served.reports()
                        warm = [number(r["Duration"]) for r in reports[before:]]
                        peak = max(number(r["Max Memory Used"]) for r in reports)
                        response = body.decode()
                finally:
                    served.stop()
            row = {"shape": shape, "function": name, "payload": payload, "cold": colds,
                   "warmups": warmups, "warm_duration_ms": warm, "warm_client_ms": client,
                   "max_memory_mb": peak,
                   "response_prefix": response.split(',"generateMs"')[0]}
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(f"jni_measure: {shape} {name}: cold {median([c['client_ms'] for c in colds]):.1f} ms, "
                  f"warm p50 {median(warm):.3f} ms", file=sys.stderr)


def measure_echo(raw, zerostart, spec, out):
    echo = spec["echo"]
    served = {name: Served(zerostart, spec["functions"][name], f"{raw}/{name}.log")
              for name in ("java_echo", "cpp_echo")}
    try:
        for s in served.values():
            for _ in range(echo["warmups"]):
                s.invoke(echo["payload"])
        client = {name: [] for name in served}
        first_report = {name: len(s.reports()) for name, s in served.items()}
        for _ in range(echo["rounds"]):
            for name, s in served.items():
                for _ in range(echo["per_round"]):
                    elapsed, body = s.invoke(echo["payload"])
                    client[name].append(elapsed * 1e6)
                    if body.decode() != echo["payload"]:
                        raise RuntimeError(f"{name} answered {body[:100]!r}")
        for name, s in served.items():
            reports = s.reports()[first_report[name]:]
            out.write(json.dumps({"function": name, "client_us": client[name],
                                  "duration_ms": [number(r["Duration"]) for r in reports],
                                  "max_memory_mb": max(number(r["Max Memory Used"]) for r in reports)})
                      + "\n")
            print(f"jni_measure: {name}: client p50 {median(client[name]):.1f} us", file=sys.stderr)
    finally:
        for s in served.values():
            s.stop()


def main():
    raw, zerostart, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    with open(f"{raw}/echo.jsonl", "w") as out:
        measure_echo(raw, zerostart, spec, out)
    with open(f"{raw}/kmeans.jsonl", "w") as out:
        measure_kmeans(raw, zerostart, spec, out)


if __name__ == "__main__":
    main()
