#!/usr/bin/env node
// A deliberately small stand-in for `zerostart serve`, used only to check the interop scripts
// and peers themselves (ric_under_emulator.sh --emulator fake) when zerostart's emulator is not
// built. Same command line and ready line:
//
//   node fake_emulator.mjs serve [--port N] -- FUNCTION [ARGS...]
//   stderr: "zerostart: serving FUNCTION on http://127.0.0.1:PORT (fake emulator)"
//
// Runtime API (2018-06-01) on an ephemeral 127.0.0.1 port for one function process, spawned
// at start and again after it exits; invoke endpoint
// POST /2015-03-31/functions/function/invocations, one invoke at a time (others queue).
// A function error comes back as HTTP 200 with X-Amz-Function-Error: Unhandled, as RIE does.
// SIGTERM/SIGINT stop the function process and exit. Works on Node.js >= 18.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { dirname, resolve } from 'node:path';

const kInvokePath = '/2015-03-31/functions/function/invocations';
const kTimeoutMs = 30_000;

function usage(message) {
  process.stderr.write(`fake_emulator: ${message}\n` +
    'usage: node fake_emulator.mjs serve [--port N] -- FUNCTION [ARGS...]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
if (argv[0] !== 'serve') usage('expected the serve subcommand');
let port = 0;
let i = 1;
for (; i < argv.length && argv[i] !== '--'; i++) {
  if (argv[i] === '--port' && i + 1 < argv.length) port = Number(argv[++i]);
  else if (argv[i].startsWith('--port=')) port = Number(argv[i].slice(7));
  else usage(`unknown option ${argv[i]}`);
}
const command = argv.slice(i + 1);
if (command.length === 0) usage('expected -- FUNCTION');
const functionPath = resolve(command[0]);

function readBody(req) {
  return new Promise((ok, fail) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

function reply(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body);
}

const queue = [];          // invokes waiting for the runtime: {id, body, res}
let inFlight = null;       // the invoke the runtime is working on
let parkedNext = null;     // a /next response waiting for an invoke
let child = null;
let runtimeApi = '';

function dispatch() {
  if (!parkedNext || inFlight || queue.length === 0) return;
  inFlight = queue.shift();
  inFlight.timer = setTimeout(() => {
    const timedOut = inFlight;
    inFlight = null;
    reply(timedOut.res, 200, `Task timed out after ${(kTimeoutMs / 1000).toFixed(2)} seconds`);
    if (child) child.kill('SIGKILL');
  }, kTimeoutMs);
  const next = parkedNext;
  parkedNext = null;
  next.writeHead(200, {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Aws-Request-Id': inFlight.id,
    'Lambda-Runtime-Deadline-Ms': String(Date.now() + kTimeoutMs),
    'Lambda-Runtime-Invoked-Function-Arn':
      'arn:aws:lambda:us-east-1:012345678912:function:function',
  });
  next.end(inFlight.body);
}

function finish(status, body, headers) {
  const done = inFlight;
  inFlight = null;
  clearTimeout(done.timer);
  reply(done.res, status, body, headers);
  dispatch();
}

function startChild() {
  child = spawn(functionPath, command.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit'],
    cwd: dirname(functionPath),
    env: {
      ...process.env,
      AWS_LAMBDA_RUNTIME_API: runtimeApi,
      AWS_LAMBDA_FUNCTION_NAME: 'function',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      // aws-lambda-ric 4 exits on the first invoke unless all five AWS_LAMBDA_* names are set.
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/function',
      AWS_LAMBDA_LOG_STREAM_NAME: '$LATEST',
      LAMBDA_TASK_ROOT: dirname(functionPath),
      _HANDLER: 'function.handler',
    },
  });
  const me = child;
  me.on('error', (e) => process.stderr.write(`fake_emulator: cannot start function: ${e.message}\n`));
  me.on('exit', (code, signal) => {
    if (child !== me) return;
    child = null;
    if (parkedNext) { parkedNext.destroy(); parkedNext = null; }
    if (inFlight) {
      finish(502, JSON.stringify({ errorType: 'Runtime.ExitError',
        errorMessage: `function exited (code ${code}, signal ${signal}) during an invoke` }));
    }
  });
}

const runtimeServer = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const body = await readBody(req);
  let m;
  if (req.method === 'GET' && path === '/2018-06-01/runtime/invocation/next') {
    req.socket.setTimeout(0);
    parkedNext = res;
    dispatch();
  } else if (req.method === 'POST' &&
             (m = path.match(/^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/))) {
    if (!inFlight || decodeURIComponent(m[1]) !== inFlight.id) {
      reply(res, 400, '{"errorType":"InvalidRequestID","errorMessage":"no such invocation"}');
      return;
    }
    reply(res, 202, '{"status":"OK"}');
    if (m[2] === 'response') {
      finish(200, body, { 'Content-Type': req.headers['content-type'] || 'application/json' });
    } else {
      finish(200, body, { 'X-Amz-Function-Error': 'Unhandled' });
    }
  } else if (req.method === 'POST' && path === '/2018-06-01/runtime/init/error') {
    reply(res, 202, '{"status":"OK"}');
    process.stderr.write(`fake_emulator: init error: ${body}\n`);
  } else {
    reply(res, 404, '{"errorType":"NotFound"}');
  }
});

const invokeServer = createServer(async (req, res) => {
  const body = await readBody(req);
  if (req.method !== 'POST' || new URL(req.url, 'http://x').pathname !== kInvokePath) {
    reply(res, 404, '{"errorType":"NotFound"}');
    return;
  }
  if (!child) startChild();
  queue.push({ id: randomUUID(), body: body.length > 0 ? body : Buffer.from('{}'), res });
  dispatch();
});

function shutdown() {
  const me = child;
  child = null;
  if (me && me.exitCode === null && me.signalCode === null) {
    me.kill('SIGTERM');
    const force = setTimeout(() => me.kill('SIGKILL'), 2000);
    me.on('exit', () => { clearTimeout(force); process.exit(0); });
  } else {
    process.exit(0);
  }
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

runtimeServer.listen(0, '127.0.0.1', () => {
  runtimeApi = `127.0.0.1:${runtimeServer.address().port}`;
  invokeServer.listen(port, '127.0.0.1', () => {
    startChild();
    process.stderr.write(`zerostart: serving ${functionPath} on ` +
      `http://127.0.0.1:${invokeServer.address().port} (fake emulator)\n`);
  });
});
