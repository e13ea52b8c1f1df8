#!/usr/bin/env node
// One real HTTP request, for the UrlFetchApp stand-in (test/gas.js).
//
// UrlFetchApp.fetch is synchronous; Node's HTTP client is not. The stand-in runs request()
// below on a worker thread and blocks until it answers (Atomics.wait on a shared buffer):
// the request is {url, method, headers, payload, timeoutMs}, the answer
// {status, headers, body} or {error: {code, message}}. Run as a script, it does the same
// with stdin and stdout.
'use strict';

const http = require('node:http');
const https = require('node:https');

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function request(spec) {
  return new Promise((resolve) => {
    let url;
    try {
      url = new URL(spec.url);
    } catch (err) {
      resolve({ error: { code: 'INVALID_URL', message: String(err && err.message) } });
      return;
    }
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (!client) {
      resolve({ error: { code: 'INVALID_URL', message: 'unsupported protocol ' + url.protocol } });
      return;
    }
    const body = spec.payload === undefined || spec.payload === null ? null : Buffer.from(String(spec.payload), 'utf8');
    const headers = Object.assign({}, spec.headers || {});
    if (body) headers['Content-Length'] = String(body.length);
    let settled = false;
    const done = (answer) => {
      if (!settled) {
        settled = true;
        resolve(answer);
      }
    };
    const req = client.request(
      url,
      { method: (spec.method || 'GET').toUpperCase(), headers, timeout: spec.timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          done({
            status: res.statusCode,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          })
        );
        res.on('error', (err) => done({ error: { code: err.code || 'ERROR', message: err.message } }));
      }
    );
    // One deadline for the whole exchange, as UrlFetchApp has.
    const timer = setTimeout(() => {
      done({ error: { code: 'TIMEOUT', message: 'no answer within ' + spec.timeoutMs + ' ms' } });
      req.destroy();
    }, spec.timeoutMs);
    req.on('timeout', () => {
      done({ error: { code: 'TIMEOUT', message: 'no answer within ' + spec.timeoutMs + ' ms' } });
      req.destroy();
    });
    req.on('error', (err) => done({ error: { code: err.code || 'ERROR', message: err.message } }));
    req.on('close', () => clearTimeout(timer));
    if (body) req.write(body);
    req.end();
  });
}

const { isMainThread, parentPort, workerData } = require('node:worker_threads');

if (!isMainThread && parentPort) {
  // On the stand-in's worker: answer each request through workerData.port, then wake the
  // main thread, which waits on workerData.signal.
  const { port, signal } = workerData;
  parentPort.on('message', (spec) => {
    request(spec)
      .catch((err) => ({ error: { code: 'ERROR', message: String(err && err.message) } }))
      .then((answer) => {
        port.postMessage(answer);
        Atomics.store(signal, 0, 1);
        Atomics.notify(signal, 0);
      });
  });
} else if (require.main === module) {
  readStdin()
    .then((text) => request(JSON.parse(text)))
    .then((answer) => {
      process.stdout.write(JSON.stringify(answer));
      process.exit(0);
    })
    .catch((err) => {
      process.stderr.write(String(err && err.stack ? err.stack : err));
      process.exit(2);
    });
}

module.exports = { request };
