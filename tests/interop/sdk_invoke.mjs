// AWS's own JavaScript client (@aws-sdk/client-lambda v3) against `zerostart serve`: Invoke and
// InvokeWithResponseStream decoded by the SDK, not by anything this project wrote.
//
//   node sdk_invoke.mjs MODE BIN_DIR        (ctest runs it through run_node.sh)
//
// MODE picks the function `BIN_DIR/zerostart serve --port 0` runs and the checks:
//   streamer     BIN_DIR/streamer (tests/functions/streamer): PayloadChunk events one per write,
//                in order, bytes exact; InvokeComplete without ErrorCode; LogType Tail; an error
//                after and before the first byte; DryRun; Event refused; Invoke buffering the
//                stream; the first PayloadChunk arriving while the function still waits for a
//                file the test creates only after seeing it (streaming proven by order of
//                events, not by timing).
//   echo         BIN_DIR/echo: Invoke RequestResponse (exact bytes, with and without LogType
//                Tail), Event -> 202, DryRun -> 204, unknown function -> ResourceNotFound,
//                non-JSON payload -> InvalidRequestContent; then BIN_DIR/faulty (when built):
//                a thrown error -> FunctionError "Unhandled" with errorType/errorMessage.
//   pool         BIN_DIR/faulty under `--concurrency 1`: with the only environment held
//                (wait_file), Invoke and InvokeWithResponseStream are refused with
//                TooManyRequestsException (HTTP 429, Reason, Type, message) and an Event is
//                accepted (202), then runs after the release, as does the held Invoke. Then
//                under `--on-failure FILE --max-retry-attempts 1`: an Event that fails -> 202,
//                two attempts with its request id, one record line in FILE.
//   curl-stream  curl_stream_bootstrap.sh (bash + curl streaming runtime): its lines come back
//                as PayloadChunk events, the first one before the file it waits for exists;
//                LogType Tail; Invoke buffering the stream.
//
// Exit: 0 all checks passed, 1 a check failed (each failure is printed as "FAIL  <check>: why"),
// 2 usage, 77 skipped (@aws-sdk/client-lambda is not installed: run scripts/install-interop.sh).
// Every call is bounded (30 s), so is the whole run (100 s); the emulator is started with a
// marker in its environment, and on exit every process that carries it or sits in the
// emulator's process group gets SIGTERM, then SIGKILL after 5 s (which fails the run).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const kCallMs = 30000;
const kRunMs = 100000;
const kFirstChunkMs = 15000;

const [mode, binDir] = process.argv.slice(2);
if (!['streamer', 'echo', 'pool', 'curl-stream'].includes(mode) || !binDir) {
  console.error('usage: sdk_invoke.mjs streamer|echo|pool|curl-stream BIN_DIR');
  process.exit(2);
}

let sdk;
try {
  sdk = await import('@aws-sdk/client-lambda');
} catch (error) {
  console.log(`SKIP  @aws-sdk/client-lambda cannot be loaded from ${here}/node_modules ` +
              `(${error.code ?? error.message}): run scripts/install-interop.sh`);
  process.exit(77);
}
const { LambdaClient, InvokeCommand, InvokeWithResponseStreamCommand } = sdk;

const failures = [];
const ok = (what) => console.log(`ok    ${what}`);
const fail = (what) => { console.log(`FAIL  ${what}`); failures.push(what); };

class CheckError extends Error {}
function expect(condition, message) {
  if (!condition) throw new CheckError(message);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new CheckError(`no answer within ${ms / 1000} s (${what})`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// check NAME FN: runs FN (bounded), prints ok/FAIL with the reason.
async function check(name, fn) {
  try {
    await withTimeout(fn(), kCallMs, name);
    ok(name);
  } catch (error) {
    const why = error instanceof CheckError ? error.message
                                            : `${error.name ?? 'Error'}: ${error.message}`;
    fail(`${name}: ${why}`);
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zs-sdk-invoke.'));
const runId = path.basename(work);

// ---- the emulator ------------------------------------------------------------------------

let emulator = null;  // {child, stderr, stdout, exited}

// `zerostart serve --port 0 --timeout 30 SERVE_ARGS -- FUNCTION_PATH`; resolves to its endpoint.
async function startEmulator(functionPath, serveArgs = []) {
  const zerostart = path.join(binDir, 'zerostart');
  if (!fs.existsSync(zerostart)) throw new CheckError(`${zerostart} is not built`);
  if (!fs.existsSync(functionPath)) throw new CheckError(`${functionPath} is not built`);
  const args = ['serve', '--port', '0', '--timeout', '30', ...serveArgs, '--', functionPath];
  console.log(`# ${zerostart} ${args.join(' ')}`);
  const child = spawn(zerostart, args, {
    detached: true,  // its own process group, so what it starts can be found
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ZS_INTEROP_RUN_ID: runId },
  });
  emulator = { child, stderr: '', stdout: '', exited: false };
  const current = emulator;
  child.stdout.on('data', (data) => { current.stdout += data; });
  child.stderr.on('data', (data) => { current.stderr += data; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    current.exited = true;
    resolve(`exit ${code ?? signal}`);
  }));
  current.exitedPromise = exited;
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const match = /^zerostart: serving .* on (http:\/\/127\.0\.0\.1:\d+)/m.exec(current.stderr);
    if (match) return match[1];
    if (current.exited) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new CheckError(`no "zerostart: serving" line within 20 s (${current.exited ? 'it exited' : 'still running'}); ` +
                       `stderr:\n${current.stderr}`);
}

// PIDs of processes started for this run: the marker in their environment, or the
// emulator's process group.
function runPids() {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');  // state ppid pgrp ...
      if (emulator && Number(fields[2]) === emulator.child.pid) { pids.push(Number(entry)); continue; }
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(`ZS_INTEROP_RUN_ID=${runId}`)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

async function stopEmulator() {
  if (!emulator) return;
  try { process.kill(emulator.child.pid, 'SIGTERM'); } catch { /* already gone */ }
  let left = [];
  for (let i = 0; i < 50; ++i) {
    left = runPids();
    if (left.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (left.length > 0) {
    fail(`processes still running 5 s after SIGTERM to the emulator: ${left.join(' ')}`);
    for (const pid of left) {
      try { process.kill(pid, 'SIGCONT'); process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
  if (failures.length > 0) {
    console.log('# emulator stderr (last 40 lines):');
    console.log(emulator.stderr.split('\n').slice(-40).map((l) => `      ${l}`).join('\n'));
  }
  emulator = null;
}

function killEverythingNow() {
  for (const pid of runPids()) {
    try { process.kill(pid, 'SIGCONT'); process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  if (emulator) { try { process.kill(emulator.child.pid, 'SIGKILL'); } catch { /* gone */ } }
  fs.rmSync(work, { recursive: true, force: true });
}

const runTimer = setTimeout(() => {
  fail(`the whole run took more than ${kRunMs / 1000} s`);
  killEverythingNow();
  process.exit(1);
}, kRunMs);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => { killEverythingNow(); process.exit(1); });
}

// ---- the client and its calls -------------------------------------------------------------

function clientFor(endpoint) {
  return new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5000, requestTimeout: kCallMs },
  });
}

const utf8 = (bytes) => Buffer.from(bytes ?? []).toString('utf8');
const json = (value) => Buffer.from(JSON.stringify(value));
const show = (text, max = 200) => JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);

// Calls InvokeWithResponseStream and reads the whole event stream. onChunk(index, bytes) runs
// as each PayloadChunk arrives (awaited before the next one is read).
async function invokeStream(client, params, onChunk) {
  const out = await client.send(new InvokeWithResponseStreamCommand(params),
                                { abortSignal: AbortSignal.timeout(kCallMs) });
  const chunks = [];
  const events = [];  // event names in arrival order
  let complete = null;
  if (out.EventStream) {
    for await (const event of out.EventStream) {
      const name = Object.keys(event).find((key) => event[key] !== undefined) ?? '?';
      events.push(name);
      if (event.PayloadChunk) {
        const bytes = Buffer.from(event.PayloadChunk.Payload ?? []);
        chunks.push(bytes);
        if (onChunk) await onChunk(chunks.length - 1, bytes);
      } else if (event.InvokeComplete) {
        complete = event.InvokeComplete;
      }
    }
  }
  const after = events.indexOf('InvokeComplete');
  expect(after === -1 || after === events.length - 1,
         `events after InvokeComplete: ${events.join(', ')}`);
  return { out, chunks, events, complete, body: Buffer.concat(chunks) };
}

async function invoke(client, params) {
  return client.send(new InvokeCommand(params), { abortSignal: AbortSignal.timeout(kCallMs) });
}

// The SDK's exception for a call that must be refused.
async function expectRejection(promise, name) {
  try {
    const out = await promise;
    throw new CheckError(`expected ${name}, got a success (StatusCode ${out?.StatusCode})`);
  } catch (error) {
    if (error instanceof CheckError) throw error;
    expect(error.name === name,
           `expected ${name}, got ${error.name}: ${error.message} ` +
           `(HTTP ${error.$metadata?.httpStatusCode})`);
    return error;
  }
}

// The decoded LogResult must hold START, END and REPORT for one request id, and `also`.
function checkTail(logResult, also = []) {
  expect(typeof logResult === 'string' && logResult.length > 0, 'no LogResult');
  const text = Buffer.from(logResult, 'base64').toString('utf8');
  expect(Buffer.from(text, 'utf8').length <= 4096, `LogResult decodes to ${text.length} bytes (> 4 KB)`);
  const start = /START RequestId: ([0-9a-f-]+)/.exec(text);
  expect(start, `no START line in the LogResult: ${show(text, 600)}`);
  const id = start[1];
  for (const line of [`END RequestId: ${id}`, `REPORT RequestId: ${id}`, ...also]) {
    expect(text.includes(line), `LogResult lacks ${show(line)}: ${show(text, 600)}`);
  }
  return text;
}

// Holds the function in "after: wait_file" and creates the file only once the first
// PayloadChunk arrived: the order of the two proves the answer was streamed. If none comes
// within kFirstChunkMs the file is created anyway (so the function finishes) and the check
// fails.
async function firstChunkBeforeFile(client, params, flagFile) {
  let timedOut = false;
  const watchdog = setTimeout(() => { timedOut = true; fs.writeFileSync(flagFile, ''); }, kFirstChunkMs);
  let seenBefore = null;
  try {
    const result = await invokeStream(client, params, (index) => {
      if (index !== 0) return;
      seenBefore = !timedOut && !fs.existsSync(flagFile);
      fs.writeFileSync(flagFile, '');
    });
    expect(result.chunks.length > 0, 'no PayloadChunk at all');
    expect(seenBefore, `no PayloadChunk within ${kFirstChunkMs / 1000} s while the function waited ` +
                       `for ${flagFile}; the first one came only after the test created it ` +
                       '(the emulator held back bytes that were written)');
    expect(result.complete && !result.complete.ErrorCode,
           `InvokeComplete ${JSON.stringify(result.complete)}`);
    return result;
  } finally {
    clearTimeout(watchdog);
    fs.writeFileSync(flagFile, '');
  }
}

// ---- the checks --------------------------------------------------------------------------

async function streamerChecks(endpoint) {
  const client = clientFor(endpoint);

  await check('streamer: InvokeWithResponseStream, 4 writes -> 4 PayloadChunk events in order, then InvokeComplete', async () => {
    // Writes 100 ms apart, each different (chunk i is 5 x the letter 'a'+i): each must be
    // its own event.
    const r = await invokeStream(client, {
      FunctionName: 'streamer',
      Payload: json({ chunks: 4, chunk_bytes: 5, interval_ms: 100, content_type: 'text/plain' }),
    });
    expect(r.out.StatusCode === 200, `StatusCode ${r.out.StatusCode}`);
    expect(r.out.ExecutedVersion === '$LATEST', `ExecutedVersion ${r.out.ExecutedVersion}`);
    const got = r.chunks.map(utf8);
    expect(JSON.stringify(got) === JSON.stringify(['aaaaa', 'bbbbb', 'ccccc', 'ddddd']),
           `PayloadChunks ${JSON.stringify(got)}, events ${r.events.join(', ')}`);
    expect(r.complete, `no InvokeComplete (events: ${r.events.join(', ')})`);
    expect(!r.complete.ErrorCode && !r.complete.ErrorDetails,
           `InvokeComplete carries an error: ${JSON.stringify(r.complete)}`);
    expect(!r.complete.LogResult, 'LogResult without LogType Tail');
    expect(r.out.ResponseStreamContentType === undefined || r.out.ResponseStreamContentType.startsWith('application/vnd.amazon.eventstream'),
           `ResponseStreamContentType ${r.out.ResponseStreamContentType}`);
  });

  await check('streamer: "text" chunks (UTF-8) concatenate to exactly what was written', async () => {
    const text = 'héllo wörld ✓ 日本語 😀\n';
    const r = await invokeStream(client, {
      FunctionName: 'function', Payload: json({ chunks: 3, text, interval_ms: 20 }),
    });
    expect(r.body.equals(Buffer.from(text.repeat(3))), `body ${show(utf8(r.body))}`);
    expect(r.complete && !r.complete.ErrorCode, `InvokeComplete ${JSON.stringify(r.complete)}`);
  });

  await check('streamer: 1 MiB in 64 writes arrives byte for byte', async () => {
    const r = await invokeStream(client, {
      FunctionName: 'function', Payload: json({ chunks: 64, chunk_bytes: 16384 }),
    });
    let expected = '';
    for (let i = 0; i < 64; ++i) expected += String.fromCharCode(97 + (i % 26)).repeat(16384);
    expect(r.body.length === expected.length, `${r.body.length} bytes, expected ${expected.length}`);
    expect(r.body.equals(Buffer.from(expected)), 'the bytes differ');
    expect(r.complete && !r.complete.ErrorCode, `InvokeComplete ${JSON.stringify(r.complete)}`);
  });

  await check('streamer: LogType Tail -> InvokeComplete.LogResult with START/END/REPORT and the function\'s line', async () => {
    const marker = `streamer-log-marker-${runId}`;
    const r = await invokeStream(client, {
      FunctionName: 'function', LogType: 'Tail',
      Payload: json({ chunks: 2, chunk_bytes: 3, stdout: marker }),
    });
    expect(utf8(r.body) === 'aaabbb', `body ${show(utf8(r.body))}`);
    expect(r.complete && !r.complete.ErrorCode, `InvokeComplete ${JSON.stringify(r.complete)}`);
    checkTail(r.complete.LogResult, [marker]);
  });

  await check('streamer: error after 2 writes -> the 2 chunks, then InvokeComplete with ErrorCode and ErrorDetails', async () => {
    const r = await invokeStream(client, {
      FunctionName: 'function', Payload: json({ chunks: 2, chunk_bytes: 4, after: 'throw' }),
    });
    expect(utf8(r.body) === 'aaaabbbb', `body ${show(utf8(r.body))}`);
    expect(r.complete, `no InvokeComplete (events: ${r.events.join(', ')})`);
    expect(r.complete.ErrorCode, `no ErrorCode: ${JSON.stringify(r.complete)}`);
    expect(r.complete.ErrorDetails && r.complete.ErrorDetails.includes('thrown after 2 chunks'),
           `ErrorDetails ${JSON.stringify(r.complete.ErrorDetails)}`);
  });

  await check('streamer: Fail before any byte -> no chunk, InvokeComplete.ErrorCode StreamerError', async () => {
    const r = await invokeStream(client, { FunctionName: 'function', Payload: json({ before: 'fail' }) });
    expect(r.chunks.length === 0, `${r.chunks.length} PayloadChunk(s): ${show(utf8(r.body))}`);
    expect(r.complete && r.complete.ErrorCode === 'StreamerError',
           `InvokeComplete ${JSON.stringify(r.complete)}`);
    expect(r.complete.ErrorDetails === 'streamer: failed before any byte',
           `ErrorDetails ${JSON.stringify(r.complete.ErrorDetails)}`);
  });

  await check('streamer: InvokeWithResponseStream DryRun -> StatusCode 204', async () => {
    const r = await invokeStream(client, { FunctionName: 'function', InvocationType: 'DryRun', Payload: json({}) });
    expect(r.out.StatusCode === 204, `StatusCode ${r.out.StatusCode}`);
    expect(r.chunks.length === 0, `${r.chunks.length} PayloadChunk(s)`);
  });

  await check('streamer: InvokeWithResponseStream Event -> InvalidParameterValueException', async () => {
    await expectRejection(invokeStream(client, { FunctionName: 'function', InvocationType: 'Event', Payload: json({}) }),
                          'InvalidParameterValueException');
  });

  await check('streamer: InvokeWithResponseStream on an unknown function -> ResourceNotFoundException', async () => {
    await expectRejection(invokeStream(client, { FunctionName: 'no-such-function', Payload: json({}) }),
                          'ResourceNotFoundException');
  });

  await check('streamer: Invoke (not streaming) -> the whole stream in one Payload', async () => {
    const out = await invoke(client, {
      FunctionName: 'streamer', Payload: json({ chunks: 3, chunk_bytes: 2, interval_ms: 20 }),
    });
    expect(out.StatusCode === 200, `StatusCode ${out.StatusCode}`);
    expect(!out.FunctionError, `FunctionError ${out.FunctionError}`);
    expect(utf8(out.Payload) === 'aabbcc', `Payload ${show(utf8(out.Payload))}`);
  });

  await check('streamer: Invoke, thrown before any byte -> FunctionError Unhandled + error JSON', async () => {
    const out = await invoke(client, { FunctionName: 'function', Payload: json({ before: 'throw' }) });
    expect(out.StatusCode === 200, `StatusCode ${out.StatusCode}`);
    expect(out.FunctionError === 'Unhandled', `FunctionError ${out.FunctionError}`);
    const body = JSON.parse(utf8(out.Payload));
    expect(typeof body.errorType === 'string' && body.errorType.length > 0, `errorType in ${utf8(out.Payload)}`);
    expect(body.errorMessage === 'streamer: thrown before any byte', `errorMessage in ${utf8(out.Payload)}`);
  });

  await check('streamer: first PayloadChunk arrives while the function still waits (wait_file)', async () => {
    const flag = path.join(work, 'release-streamer');
    const r = await firstChunkBeforeFile(client, {
      FunctionName: 'function', Payload: json({ chunks: 1, text: 'data: first\n\n', after: `wait_file:${flag}` }),
    }, flag);
    expect(utf8(r.body) === 'data: first\n\n', `body ${show(utf8(r.body))}`);
  });
}

async function echoChecks(endpoint) {
  const client = clientFor(endpoint);
  const payload = Buffer.from(JSON.stringify({ a: 1, s: 'héllo ✓ 😀', nested: { list: [1, 2.5, null, true] } }));

  await check('echo: Invoke RequestResponse returns the payload byte for byte', async () => {
    const out = await invoke(client, { FunctionName: 'function', Payload: payload });
    expect(out.StatusCode === 200, `StatusCode ${out.StatusCode}`);
    expect(out.ExecutedVersion === '$LATEST', `ExecutedVersion ${out.ExecutedVersion}`);
    expect(!out.FunctionError, `FunctionError ${out.FunctionError}`);
    expect(out.LogResult === undefined, 'LogResult without LogType Tail');
    expect(Buffer.from(out.Payload).equals(payload), `Payload ${show(utf8(out.Payload))}`);
  });

  await check('echo: Invoke by the function\'s own name, 1 MiB payload', async () => {
    const big = Buffer.from(JSON.stringify({ data: 'x'.repeat(1 << 20) }));
    const out = await invoke(client, { FunctionName: 'echo', Payload: big });
    expect(out.StatusCode === 200, `StatusCode ${out.StatusCode}`);
    expect(Buffer.from(out.Payload).equals(big), `Payload of ${out.Payload?.length} bytes differs`);
  });

  await check('echo: Invoke LogType Tail -> LogResult decodes to START/END/REPORT', async () => {
    const out = await invoke(client, { FunctionName: 'function', Payload: payload, LogType: 'Tail' });
    expect(out.StatusCode === 200, `StatusCode ${out.StatusCode}`);
    expect(Buffer.from(out.Payload).equals(payload), `Payload ${show(utf8(out.Payload))}`);
    checkTail(out.LogResult, ['Duration:', 'Max Memory Used:']);
  });

  await check('echo: Invoke Event -> StatusCode 202, empty Payload', async () => {
    const out = await invoke(client, { FunctionName: 'function', Payload: payload, InvocationType: 'Event' });
    expect(out.StatusCode === 202, `StatusCode ${out.StatusCode}`);
    expect(!out.Payload || out.Payload.length === 0, `Payload ${show(utf8(out.Payload))}`);
  });

  await check('echo: Invoke DryRun -> StatusCode 204', async () => {
    const out = await invoke(client, { FunctionName: 'function', Payload: payload, InvocationType: 'DryRun' });
    expect(out.StatusCode === 204, `StatusCode ${out.StatusCode}`);
  });

  await check('echo: Invoke on an unknown function -> ResourceNotFoundException', async () => {
    await expectRejection(invoke(client, { FunctionName: 'no-such-function', Payload: payload }),
                          'ResourceNotFoundException');
  });

  await check('echo: Invoke with a payload that is not JSON -> InvalidRequestContentException', async () => {
    await expectRejection(invoke(client, { FunctionName: 'function', Payload: Buffer.from('{not json') }),
                          'InvalidRequestContentException');
  });

  await check('echo: still answers after the refusals', async () => {
    const out = await invoke(client, { FunctionName: 'function', Payload: json({ after: 'refusals' }) });
    expect(out.StatusCode === 200 && utf8(out.Payload) === '{"after":"refusals"}', `Payload ${show(utf8(out.Payload))}`);
  });
}

async function faultyChecks(endpoint) {
  const client = clientFor(endpoint);
  await check('faulty: Invoke, thrown exception -> FunctionError Unhandled + errorType/errorMessage', async () => {
    const out = await invoke(client, { FunctionName: 'function', Payload: json({ action: 'throw' }) });
    expect(out.StatusCode === 200, `StatusCode ${out.StatusCode}`);
    expect(out.FunctionError === 'Unhandled', `FunctionError ${out.FunctionError}`);
    const body = JSON.parse(utf8(out.Payload));
    expect(typeof body.errorType === 'string' && body.errorType.length > 0, `errorType in ${utf8(out.Payload)}`);
    expect(body.errorMessage === 'faulty: ünïcödé failure', `errorMessage in ${utf8(out.Payload)}`);
  });
  await check('faulty: Invoke LogType Tail on an error -> FunctionError and LogResult', async () => {
    const out = await invoke(client, { FunctionName: 'function', Payload: json({ action: 'error' }), LogType: 'Tail' });
    expect(out.FunctionError === 'Unhandled', `FunctionError ${out.FunctionError}`);
    expect(JSON.parse(utf8(out.Payload)).errorType === 'MyError', `Payload ${show(utf8(out.Payload))}`);
    checkTail(out.LogResult);
  });
}

// Polls `condition` every 20 ms until it holds; fails the check after `ms`.
async function waitFor(condition, what, ms = 20000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new CheckError(`not within ${ms / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Request ids of the emulator's START lines so far, in order.
function startedIds() {
  return [...(emulator?.stdout ?? '').matchAll(/^START RequestId: (\S+)/gm)].map((m) => m[1]);
}
const reported = (id) => (emulator?.stdout ?? '').split(`REPORT RequestId: ${id}\t`).length - 1;

// The SDK's view of Lambda's throttle: every field the model gives TooManyRequestsException.
function checkThrottle(error) {
  expect(error.$metadata?.httpStatusCode === 429, `HTTP ${error.$metadata?.httpStatusCode}`);
  expect(error.Reason === 'ReservedFunctionConcurrentInvocationLimitExceeded', `Reason ${error.Reason}`);
  expect(error.Type === 'User', `Type ${error.Type}`);
  expect(error.message === 'Rate Exceeded.', `message ${show(String(error.message))}`);
  expect(error.$fault === 'client', `$fault ${error.$fault}`);
  expect(error.$metadata?.attempts === 1, `${error.$metadata?.attempts} attempts with maxAttempts 1`);
}

// faulty under `--concurrency 1`: one Invoke holds the only environment (wait_file) while the
// others are refused; an Event is accepted regardless and runs once the environment is free.
async function throttleChecks(endpoint) {
  const client = clientFor(endpoint);
  const release = path.join(work, 'release-throttle');
  const heldEvent = json({ action: 'wait_file', path: release });
  let held = null;
  let queuedId = null;
  try {
    await check('pool: an Invoke holds the only environment (--concurrency 1)', async () => {
      held = invoke(client, { FunctionName: 'function', Payload: heldEvent });
      held.catch(() => {});  // awaited below; a rejection meanwhile is not unhandled
      await waitFor(() => startedIds().length === 1, 'the START line of the held invoke');
    });
    if (!held) return;

    await check('pool: Invoke while every environment is busy -> TooManyRequestsException, HTTP 429, Reason ReservedFunctionConcurrentInvocationLimitExceeded', async () => {
      checkThrottle(await expectRejection(
          invoke(client, { FunctionName: 'function', Payload: json({ action: 'echo' }) }),
          'TooManyRequestsException'));
    });

    await check('pool: InvokeWithResponseStream while every environment is busy -> TooManyRequestsException, HTTP 429', async () => {
      checkThrottle(await expectRejection(
          invokeStream(client, { FunctionName: 'function', Payload: json({ action: 'echo' }) }),
          'TooManyRequestsException'));
    });

    await check('pool: Invoke Event while every environment is busy -> StatusCode 202 (queued, not refused)', async () => {
      const out = await invoke(client, {
        FunctionName: 'function', InvocationType: 'Event', Payload: json({ action: 'echo', queued: true }),
      });
      expect(out.StatusCode === 202, `StatusCode ${out.StatusCode}`);
      queuedId = out.$metadata?.requestId;
      expect(queuedId, 'no request id ($metadata.requestId) on the 202');
    });

    await check('pool: none of the refused or queued invokes ran while the environment was held', async () => {
      expect(startedIds().length === 1, `START lines: ${startedIds().join(', ')}`);
    });
  } finally {
    fs.writeFileSync(release, '');
  }

  await check('pool: released, the held Invoke completes with its payload', async () => {
    const out = await held;
    expect(out.StatusCode === 200, `StatusCode ${out.StatusCode}`);
    expect(!out.FunctionError, `FunctionError ${out.FunctionError}: ${show(utf8(out.Payload))}`);
    expect(Buffer.from(out.Payload).equals(heldEvent), `Payload ${show(utf8(out.Payload))}`);
  });

  if (queuedId) {
    await check('pool: the Event queued while busy runs once, after the release', async () => {
      await waitFor(() => reported(queuedId) === 1, `REPORT RequestId: ${queuedId}`);
      expect(startedIds().filter((id) => id === queuedId).length === 1,
             `START lines: ${startedIds().join(', ')}`);
    });
  }

  await check('pool: with the environment free, Invoke is served again', async () => {
    const out = await invoke(client, { FunctionName: 'function', Payload: json({ after: 'throttle' }) });
    expect(out.StatusCode === 200 && utf8(out.Payload) === '{"after":"throttle"}',
           `StatusCode ${out.StatusCode}, Payload ${show(utf8(out.Payload))}`);
  });
}

// faulty under `--on-failure FILE --max-retry-attempts 1 --event-retry-delay 0.05`: an Event
// that succeeds runs once and leaves no record; one that fails runs twice (the first attempt
// and one retry, with the same request id) and ends as one line of FILE, Lambda's destination
// record.
async function eventChecks(endpoint, failuresFile) {
  const client = clientFor(endpoint);
  const lines = () => (fs.existsSync(failuresFile) ? fs.readFileSync(failuresFile, 'utf8') : '')
    .split('\n').filter((line) => line.length > 0);

  await check('event: Invoke Event of a success -> StatusCode 202 with a request id; it runs once', async () => {
    const out = await invoke(client, {
      FunctionName: 'function', InvocationType: 'Event', Payload: json({ action: 'echo', attempt: 'ok' }),
    });
    expect(out.StatusCode === 202, `StatusCode ${out.StatusCode}`);
    expect(!out.Payload || out.Payload.length === 0, `Payload ${show(utf8(out.Payload))}`);
    const id = out.$metadata?.requestId;
    expect(id, 'no request id ($metadata.requestId) on the 202');
    await waitFor(() => reported(id) === 1, `REPORT RequestId: ${id}`);
    expect(lines().length === 0, `an --on-failure record for a success: ${lines().join(' | ')}`);
  });

  await check('event: Invoke Event of an error -> 202, 2 attempts, then one --on-failure record (RetriesExhausted, approximateInvokeCount 2)', async () => {
    const event = { action: 'error', attempt: 'sdk' };
    const out = await invoke(client, { FunctionName: 'function', InvocationType: 'Event', Payload: json(event) });
    expect(out.StatusCode === 202, `StatusCode ${out.StatusCode}`);
    const id = out.$metadata?.requestId;
    expect(id, 'no request id ($metadata.requestId) on the 202');
    // A line is complete once its newline is written.
    await waitFor(() => fs.existsSync(failuresFile) && fs.readFileSync(failuresFile, 'utf8').endsWith('\n'),
                  `a line in ${failuresFile}`);
    expect(lines().length === 1, `${lines().length} records: ${lines().join(' | ')}`);
    let record;
    try { record = JSON.parse(lines()[0]); } catch { throw new CheckError(`not JSON: ${show(lines()[0], 600)}`); }
    const context = record.requestContext ?? {};
    const shown = show(lines()[0], 800);
    expect(record.version === '1.0', `version in ${shown}`);
    expect(!Number.isNaN(Date.parse(record.timestamp)), `timestamp in ${shown}`);
    expect(context.requestId === id, `requestContext.requestId (the 202's is ${id}) in ${shown}`);
    expect(context.condition === 'RetriesExhausted', `requestContext.condition in ${shown}`);
    expect(context.approximateInvokeCount === 2, `requestContext.approximateInvokeCount in ${shown}`);
    expect(/^arn:aws:lambda:[^:]+:\d+:function:faulty:\$LATEST$/.test(context.functionArn ?? ''),
           `requestContext.functionArn in ${shown}`);
    expect(JSON.stringify(record.requestPayload) === JSON.stringify(event), `requestPayload in ${shown}`);
    const response = record.responseContext ?? {};
    expect(response.statusCode === 200, `responseContext.statusCode in ${shown}`);
    expect(response.executedVersion === '$LATEST', `responseContext.executedVersion in ${shown}`);
    expect(response.functionError === 'Unhandled', `responseContext.functionError in ${shown}`);
    expect(record.responsePayload?.errorType === 'MyError', `responsePayload in ${shown}`);
    // Both attempts ran with the event's request id (Lambda's retries keep it).
    await waitFor(() => reported(id) === 2, `two REPORT lines for ${id}`);
    expect(startedIds().filter((started) => started === id).length === 2,
           `START lines: ${startedIds().join(', ')}`);
  });
}

async function curlStreamChecks(endpoint) {
  const client = clientFor(endpoint);
  const linesOf = (n) => Array.from({ length: n }, (_, i) => `line ${i + 1} of ${n}\n`).join('');

  await check('curl-stream: InvokeWithResponseStream returns its lines, one write per PayloadChunk', async () => {
    const r = await invokeStream(client, { FunctionName: 'function', Payload: json({ lines: 4, interval_ms: 150 }) });
    expect(r.out.StatusCode === 200, `StatusCode ${r.out.StatusCode}`);
    expect(utf8(r.body) === linesOf(4), `body ${show(utf8(r.body))}`);
    // 150 ms apart, each line leaves curl on its own; the emulator must not merge them.
    expect(r.chunks.length === 4, `${r.chunks.length} PayloadChunk(s): ${JSON.stringify(r.chunks.map(utf8))}`);
    expect(r.complete && !r.complete.ErrorCode, `InvokeComplete ${JSON.stringify(r.complete)}`);
  });

  await check('curl-stream: first line arrives while the runtime still waits (wait_file)', async () => {
    const flag = path.join(work, 'release-curl');
    const r = await firstChunkBeforeFile(client, {
      FunctionName: 'function', Payload: json({ lines: 3, interval_ms: 10, wait_file: flag }),
    }, flag);
    expect(utf8(r.chunks[0]).startsWith('line 1 of 3\n'), `first chunk ${show(utf8(r.chunks[0]))}`);
    expect(utf8(r.body) === linesOf(3), `body ${show(utf8(r.body))}`);
  });

  await check('curl-stream: LogType Tail -> LogResult with START/END/REPORT and the runtime\'s line', async () => {
    const r = await invokeStream(client, { FunctionName: 'function', LogType: 'Tail', Payload: json({ lines: 2, interval_ms: 10 }) });
    expect(utf8(r.body) === linesOf(2), `body ${show(utf8(r.body))}`);
    checkTail(r.complete?.LogResult, ['curl_stream_bootstrap: streaming 2 lines']);
  });

  await check('curl-stream: Invoke (not streaming) -> all lines in one Payload', async () => {
    const out = await invoke(client, { FunctionName: 'function', Payload: json({ lines: 3, interval_ms: 10 }) });
    expect(out.StatusCode === 200, `StatusCode ${out.StatusCode}`);
    expect(!out.FunctionError, `FunctionError ${out.FunctionError}: ${show(utf8(out.Payload))}`);
    expect(utf8(out.Payload) === linesOf(3), `Payload ${show(utf8(out.Payload))}`);
  });
}

// ---- main --------------------------------------------------------------------------------

async function withEmulator(functionPath, checks, serveArgs = []) {
  let endpoint;
  try {
    endpoint = await startEmulator(functionPath, serveArgs);
  } catch (error) {
    fail(`start the emulator on ${functionPath}: ${error.message}`);
    await stopEmulator();
    return;
  }
  try {
    await checks(endpoint);
  } finally {
    await stopEmulator();
  }
}

try {
  if (mode === 'streamer') {
    await withEmulator(path.join(binDir, 'streamer'), streamerChecks);
  } else if (mode === 'pool') {
    const faulty = path.join(binDir, 'faulty');
    await withEmulator(faulty, throttleChecks, ['--concurrency', '1', '--event-retry-delay', '0.05']);
    const failuresFile = path.join(work, 'on-failure.jsonl');
    await withEmulator(faulty, (endpoint) => eventChecks(endpoint, failuresFile),
                       ['--on-failure', failuresFile, '--max-retry-attempts', '1', '--event-retry-delay', '0.05']);
  } else if (mode === 'echo') {
    await withEmulator(path.join(binDir, 'echo'), echoChecks);
    if (fs.existsSync(path.join(binDir, 'faulty'))) {
      await withEmulator(path.join(binDir, 'faulty'), faultyChecks);
    } else {
      console.log(`#     ${binDir}/faulty is not built: its checks are not run`);
    }
  } else {
    await withEmulator(path.join(here, 'curl_stream_bootstrap.sh'), curlStreamChecks);
  }
} finally {
  clearTimeout(runTimer);
  killEverythingNow();
}

if (failures.length === 0) {
  console.log(`PASS  @aws-sdk/client-lambda against zerostart serve (${mode})`);
  process.exit(0);
}
console.log(`FAIL  ${failures.length} check(s) failed (${mode}):`);
for (const failure of failures) console.log(`      ${failure}`);
process.exit(1);
