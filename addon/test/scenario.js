#!/usr/bin/env node
// Runs the add-on under Node with the Apps Script stand-ins (gas.js) and prints what
// happened as JSON. Driven by tests/addon (pytest), which starts the real backend.
//
// stdin: {"options": {...createAppsScript options...},
//         "steps": [{"call": "onOpen", "event": {"authMode": "NONE"}},   (an event object)
//                   {"call": "saveSettings", "args": [{...}]},
//                   {"call": "classifyQuarterFromMenu"},
//                   {"follow": "startClassification", "args": ["2025-Q3"]},  (see follow())
//                   {"follow": "startClassification", "args": [""], "realTime": true},
//                   {"advance": 60000},                        (the clock moves on 60 s)
//                   {"eval": "CLASSIFY_DOCUMENT = '...'"}]}   (code run in the add-on's scope)
// stdout: {"steps": [{"call", "result", "error"}], "record": {...}, "functions": [...],
//          "documentProperties": {...}, "userProperties": {...}}
'use strict';

const vm = require('node:vm');
const { createAppsScript, AuthMode } = require('./gas');

function readStdin() {
  return require('node:fs').readFileSync(0, 'utf8');
}

/** An event object: its authMode names a ScriptApp.AuthMode value, compared by identity. */
function eventOf(spec) {
  const event = Object.assign({}, spec);
  if (typeof event.authMode === 'string') {
    if (!AuthMode[event.authMode]) throw new Error('no such AuthMode: ' + event.authMode);
    event.authMode = AuthMode[event.authMode];
  }
  return event;
}

/**
 * What Sidebar.html does with an answer that carries a run still going: wait nextDelayMs
 * (here the add-on's clock moves on instead), then pollRun(id, check number, time since it
 * started following), until the answer says to stop. The result: the first answer, the
 * last, and each check. With `realTime` the waits are real instead (a real backend's run
 * goes on while the page waits).
 */
function follow(gas, name, args, realTime) {
  const first = gas.call(name, ...args);
  const going = (a) =>
    a && a.ok && typeof a.nextDelayMs === 'number'
      ? [a.run, a.newest].find((r) => r && r.status === 'RUNNING') || null
      : null;
  const checks = [];
  let answer = first;
  let elapsed = 0;
  let attempt = 0;
  let run = going(answer);
  while (run) {
    if (checks.length > 1000) throw new Error('follow: more than 1000 checks');
    const delay = answer.nextDelayMs;
    if (realTime) sleep(delay); // the add-on's clock is the real one then (no options.now)
    else gas.advance(delay);
    elapsed += delay;
    attempt += 1;
    answer = gas.call('pollRun', run.id, attempt, elapsed);
    checks.push({
      attempt,
      delayMs: delay,
      elapsedMs: elapsed,
      status: answer && answer.run ? answer.run.status : null,
      nextDelayMs: answer ? answer.nextDelayMs : null,
    });
    run = going(answer);
  }
  return { first, last: answer, checks, waitedMs: elapsed };
}

/** Blocks for `ms` of real time (the add-on's calls are synchronous, as in Apps Script). */
function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function main() {
  const scenario = JSON.parse(readStdin() || '{}');
  const gas = createAppsScript(scenario.options || {});
  const steps = [];
  for (const step of scenario.steps || []) {
    const entry = { call: step.call || step.follow || null, result: null, error: null };
    try {
      if (step.advance !== undefined) gas.advance(Number(step.advance));
      const result =
        step.advance !== undefined
          ? null
          : step.follow !== undefined
          ? follow(gas, String(step.follow), step.args || [], !!step.realTime)
          : step.eval !== undefined
          ? vm.runInContext(String(step.eval), gas.context)
          : step.event !== undefined
            ? gas.call(step.call, eventOf(step.event))
            : gas.call(step.call, ...(step.args || []));
      entry.result = result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (err) {
      entry.error = String(err && err.stack ? err.stack : err);
    }
    steps.push(entry);
  }
  process.stdout.write(
    JSON.stringify(
      {
        steps,
        record: gas.record,
        functions: Object.keys(gas.context).filter((k) => typeof gas.context[k] === 'function').sort(),
        documentProperties: gas.documentProperties.values,
        userProperties: gas.userProperties.values,
      },
      null,
      2
    ) + '\n'
  );
}

main();
