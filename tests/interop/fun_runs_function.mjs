#!/usr/bin/env node
// Runs one Lambda function binary as a `provided` custom runtime under @vercel/fun (a local
// Lambda environment this project did not write) and checks what comes back.
//
//   node fun_runs_function.mjs [--mode echo|faulty|kmeans] FUNCTION_BINARY
//
// The binary is copied into a fresh directory as `bootstrap`; fun starts it with
// AWS_LAMBDA_RUNTIME_API pointing at its own Runtime API server. fun's quirks are part of what
// is tested: it freezes the process with SIGSTOP between invokes, sends no Content-Type on
// /next, a constant Lambda-Runtime-Deadline-Ms of 5000 and ignores the Timeout setting.
//
// Modes (default: from the binary's name, `faulty*` -> faulty, `kmeans*` -> kmeans, else echo):
//   echo    payloads (small, unicode, ~4 KiB, 64 KiB, nested) come back byte for byte.
//   faulty  {"action":"error"} comes back as a function error (fun: FunctionError "Handled")
//           whose body is JSON with string errorType and errorMessage, and the same process
//           then echoes {"action":"echo",...}; {"action":"exit"} (the process exits mid-invoke)
//           comes back as "Unhandled" and a new process serves the next invoke.
//   kmeans  the checked example of docs/WORKLOAD.md gives sizes [252,266,228,254].
// In every mode all invokes must be served by one process (it survives SIGSTOP/SIGCONT and
// loops), and no process started from the bootstrap may be left when the script ends.
//
// Exit status: 0 all checks passed, 1 a check failed (a line starting "FAIL" says which),
// 2 bad usage, 77 @vercel/fun is not installed (scripts/install-interop.sh).
// Works on Node.js >= 18 (Debian bookworm's nodejs).

import { createRequire } from 'node:module';
import {
  chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync,
  readlinkSync, rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const kOverallTimeoutMs = 60_000;  // the whole run; ctest's own timeout is larger
const kInvokeTimeoutMs = 15_000;   // one invoke, including a cold start

const here = dirname(fileURLToPath(import.meta.url));

function usage(message) {
  process.stderr.write(`${message}\n` +
    'usage: node fun_runs_function.mjs [--mode echo|faulty|kmeans] FUNCTION_BINARY\n');
  process.exit(2);
}

const { values: options, positionals } = parseArgs({
  options: { mode: { type: 'string' } },
  allowPositionals: true,
});
if (positionals.length !== 1) usage('expected exactly one FUNCTION_BINARY');
const binary = resolve(positionals[0]);
const name = basename(binary);
const mode = options.mode ??
  (name.startsWith('faulty') ? 'faulty' : name.startsWith('kmeans') ? 'kmeans' : 'echo');
if (!['echo', 'faulty', 'kmeans'].includes(mode)) usage(`unknown mode ${mode}`);

if (!existsSync(join(here, 'node_modules', '@vercel', 'fun', 'package.json'))) {
  console.log(`SKIP  @vercel/fun is not installed in ${join(here, 'node_modules')}: ` +
    'run scripts/install-interop.sh');
  process.exit(77);
}

// fun keeps a copy of its runtimes under $XDG_CACHE_HOME; give it a private one so the run
// leaves nothing in the user's home. Must be set before fun is loaded (it reads it at load).
const scratch = mkdtempSync(join(tmpdir(), 'zs-fun-'));
const taskDir = join(scratch, 'task');
process.env.XDG_CACHE_HOME = join(scratch, 'cache');

const failures = [];
function check(ok, what) {
  if (ok) {
    console.log(`ok    ${what}`);
  } else {
    console.log(`FAIL  ${what}`);
    failures.push(what);
  }
  return ok;
}

// Processes whose executable is our copied bootstrap (fun's provided runtime `exec`s it).
// A shell-script bootstrap shows up as its interpreter, so match the command line too; its
// transient forks (command substitutions) look the same, so only the topmost one counts.
function bootstrapPids() {
  const bootstrap = join(taskDir, 'bootstrap');
  const parents = new Map();  // pid -> ppid
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let exe = '';
    let cmdline = '';
    let stat = '';
    try { exe = readlinkSync(`/proc/${entry}/exe`); } catch { /* exited, or not ours */ }
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch { continue; /* exited */ }
    if (exe === bootstrap || cmdline.split('\0').includes(bootstrap)) {
      // stat is "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    }
  }
  return [...parents].filter(([, ppid]) => !parents.has(ppid)).map(([pid]) => pid);
}

function notePids(seen) {
  for (const pid of bootstrapPids()) seen.add(pid);
}

function killLeftovers() {
  const left = bootstrapPids();
  for (const pid of left) {
    try { process.kill(pid, 'SIGCONT'); process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  return left;
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function invoke(fn, payload) {
  const result = await withTimeout(
    fn.invoke({ InvocationType: 'RequestResponse', Payload: payload }),
    kInvokeTimeoutMs, `invoke with ${payload.length}-character payload`);
  return { ...result, Payload: String(result.Payload) };
}

function describe(text) {
  return text.length <= 120 ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, 117))}...`;
}

// Deep search for an array equal to `wanted` anywhere in a parsed JSON value.
function containsArray(value, wanted) {
  if (Array.isArray(value)) {
    if (value.length === wanted.length && value.every((v, i) => v === wanted[i])) return true;
    return value.some((v) => containsArray(v, wanted));
  }
  if (value && typeof value === 'object') {
    return Object.values(value).some((v) => containsArray(v, wanted));
  }
  return false;
}

async function runEcho(fn, seen) {
  const payloads = [
    '{"hello":"world"}',
    '{}',
    '{"s":"h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \ud83d\ude00","n":-1.5e-7,"t":true}',
    JSON.stringify({ data: 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(114) }),  // ~4 KiB
    JSON.stringify({ data: 'x'.repeat(64 * 1024) }),
    '[1,[2,[3,{"a":null}]],"\\"quoted\\" \\\\ backslash \\n newline"]',
    '{"hello":"again"}',
  ];
  for (const payload of payloads) {
    const result = await invoke(fn, payload);
    notePids(seen);
    const what = `echo ${describe(payload)} (${Buffer.byteLength(payload)} bytes)`;
    if (!check(result.FunctionError === undefined && result.Payload === payload, what)) {
      console.log(`      got FunctionError=${result.FunctionError} payload=${describe(result.Payload)}`);
    }
  }
}

function parseJson(text) {
  try { return JSON.parse(text); } catch { return null; }
}

async function expectHandledError(fn, what) {
  const result = await invoke(fn, '{"action":"error"}');
  const body = parseJson(result.Payload);
  const ok = result.FunctionError === 'Handled' && body !== null &&
    typeof body.errorType === 'string' && body.errorType.length > 0 &&
    typeof body.errorMessage === 'string';
  if (check(ok, `${what}: {"action":"error"} -> FunctionError "Handled", JSON errorType+errorMessage`)) {
    console.log(`      errorType=${JSON.stringify(body.errorType)} errorMessage=${JSON.stringify(body.errorMessage)}`);
  } else {
    console.log(`      got FunctionError=${result.FunctionError} payload=${describe(result.Payload)}`);
  }
}

async function expectEcho(fn, payload, what) {
  const result = await invoke(fn, payload);
  if (!check(result.FunctionError === undefined && result.Payload === payload,
             `${what}: ${describe(payload)} echoed`)) {
    console.log(`      got FunctionError=${result.FunctionError} payload=${describe(result.Payload)}`);
  }
}

// Function errors keep the process (fun freezes and reuses it); a process that exits mid-invoke
// is an "Unhandled" error and the next invoke starts a new one.
async function runFaulty(fn, seen) {
  await expectHandledError(fn, 'first error');
  notePids(seen);
  await expectEcho(fn, '{"action":"echo","n":1}', 'after an error');
  notePids(seen);
  await expectHandledError(fn, 'second error');
  notePids(seen);
  const before = [...seen];

  const exited = await invoke(fn, '{"action":"exit"}');
  const body = parseJson(exited.Payload);
  if (!check(exited.FunctionError === 'Unhandled' && body !== null &&
             typeof body.errorMessage === 'string',
             '{"action":"exit"} -> FunctionError "Unhandled" (process exited mid-invoke)')) {
    console.log(`      got FunctionError=${exited.FunctionError} payload=${describe(exited.Payload)}`);
  } else {
    console.log(`      errorMessage=${JSON.stringify(body.errorMessage)}`);
  }
  await expectEcho(fn, '{"action":"echo","n":2}', 'after the exit, in a new process');
  const now = bootstrapPids();
  check(now.length === 1 && !before.includes(now[0]),
    `a new process serves after the exit (before ${before.join(',')}, now ${now.join(',') || 'none'})`);
  // The pids checked by main() are those of the first process only.
  seen.clear();
  for (const pid of before) seen.add(pid);
}

async function runKmeans(fn, seen) {
  const request = '{"n":1000,"d":2,"k":4,"maxIterations":100,"seed":42}';
  for (let round = 1; round <= 2; round++) {
    const result = await invoke(fn, request);
    notePids(seen);
    const body = parseJson(result.Payload);
    if (!check(result.FunctionError === undefined && body !== null &&
               containsArray(body, [252, 266, 228, 254]),
               `kmeans ${request} #${round} -> sizes [252,266,228,254]`)) {
      console.log(`      got FunctionError=${result.FunctionError} payload=${describe(result.Payload)}`);
    }
  }
}

async function main() {
  const require = createRequire(join(here, 'package.json'));
  const fun = require('@vercel/fun');
  const funVersion = require('@vercel/fun/package.json').version;
  console.log(`# @vercel/fun ${funVersion}, node ${process.version}, mode ${mode}, ${binary}`);

  // fun's `provided` runtime is a bash script that execs $LAMBDA_TASK_ROOT/bootstrap.
  mkdirSync(taskDir);
  copyFileSync(binary, join(taskDir, 'bootstrap'));
  chmodSync(join(taskDir, 'bootstrap'), 0o755);

  const fn = await fun.createFunction({
    FunctionName: `zs-interop-${mode}`,
    Code: { Directory: taskDir },
    Handler: 'bootstrap',  // unused by a custom runtime; fun passes it as _HANDLER
    Runtime: 'provided',
    MemorySize: 128,
    Timeout: 10,  // fun ignores it; our own invoke timeout bounds the run
  });
  const seen = new Set();
  try {
    if (mode === 'echo') await runEcho(fn, seen);
    if (mode === 'faulty') await runFaulty(fn, seen);
    if (mode === 'kmeans') await runKmeans(fn, seen);
    check(seen.size === 1,
      `one process served every invoke (SIGSTOP/SIGCONT between them): pids ${[...seen].join(',') || 'none'}`);
  } finally {
    await withTimeout(fn.destroy(), 10_000, 'fun destroy').catch((e) => {
      console.log(`      fun destroy: ${e.message}`);
    });
  }
  // fun's destroy SIGTERMs the process tree; give it a moment to go.
  for (let i = 0; i < 50 && bootstrapPids().length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const left = killLeftovers();
  check(left.length === 0, `no bootstrap process left after fun's destroy (left: ${left.join(',') || 'none'})`);
}

// Whatever happens (uncaught error, closed stdout), a frozen bootstrap must not outlive us.
process.on('exit', () => {
  killLeftovers();
  rmSync(scratch, { recursive: true, force: true });
});
process.stdout.on('error', () => {});

const overall = setTimeout(() => {
  console.log(`FAIL  whole run did not finish within ${kOverallTimeoutMs} ms`);
  killLeftovers();
  rmSync(scratch, { recursive: true, force: true });
  process.exit(1);
}, kOverallTimeoutMs);

let exitCode = 0;
try {
  await main();
} catch (e) {
  console.log(`FAIL  ${e.stack || e}`);
  exitCode = 1;
} finally {
  clearTimeout(overall);
  killLeftovers();
  rmSync(scratch, { recursive: true, force: true });
}
if (failures.length > 0) exitCode = 1;
console.log(exitCode === 0 ? `PASS  ${name} under @vercel/fun` : `FAIL  ${name} under @vercel/fun (${failures.length} check(s) failed)`);
process.exit(exitCode);
