#!/usr/bin/env node
// Runs the add-on under Node with the Apps Script stand-ins (gas.js) and prints what
// happened as JSON. Driven by tests/addon (pytest), which starts the real backend.
//
// stdin: {"options": {...createAppsScript options...},
//         "steps": [{"call": "onOpen", "args": [{"authMode": "NONE"}]},
//                   {"call": "saveSettings", "args": [{...}]},
//                   {"call": "classifyQuarterFromMenu"}]}
// stdout: {"steps": [{"call", "result", "error"}], "record": {...},
//          "documentProperties": {...}, "userProperties": {...}}
'use strict';

const { createAppsScript, AuthMode } = require('./gas');

function readStdin() {
  return require('node:fs').readFileSync(0, 'utf8');
}

/** Event objects name their auth mode; the add-on compares with ScriptApp.AuthMode.X. */
function revive(arg) {
  if (arg && typeof arg === 'object' && typeof arg.authMode === 'string') {
    return Object.assign({}, arg, { authMode: AuthMode[arg.authMode] });
  }
  return arg;
}

function main() {
  const scenario = JSON.parse(readStdin() || '{}');
  const gas = createAppsScript(scenario.options || {});
  const steps = [];
  for (const step of scenario.steps || []) {
    const entry = { call: step.call, result: null, error: null };
    try {
      const result = gas.call(step.call, ...(step.args || []).map(revive));
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
        documentProperties: gas.documentProperties.values,
        userProperties: gas.userProperties.values,
      },
      null,
      2
    ) + '\n'
  );
}

main();
