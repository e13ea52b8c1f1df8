#!/usr/bin/env node
// Runs the add-on under Node with the Apps Script stand-ins (gas.js) and prints what
// happened as JSON. Driven by tests/addon (pytest), which starts the real backend.
//
// stdin: {"options": {...createAppsScript options...},
//         "steps": [{"call": "onOpen", "event": {"authMode": "NONE"}},   (an event object)
//                   {"call": "saveSettings", "args": [{...}]},
//                   {"call": "classifyQuarterFromMenu"},
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

function main() {
  const scenario = JSON.parse(readStdin() || '{}');
  const gas = createAppsScript(scenario.options || {});
  const steps = [];
  for (const step of scenario.steps || []) {
    const entry = { call: step.call || null, result: null, error: null };
    try {
      const result =
        step.eval !== undefined
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
