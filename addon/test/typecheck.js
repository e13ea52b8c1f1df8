#!/usr/bin/env node
// Type-checks the add-on with tsc (checkJs) against @types/google-apps-script.
//
// tsc reads neither .gs files nor the <script> blocks of .html pages, so this copies
// them to .js files in a temporary folder first, keeping line numbers (everything of a
// page outside its <script> blocks becomes blank lines), and maps the file names in
// tsc's report back to the add-on's own files.
//
//   server side: *.gs              lib ES2020, types google-apps-script
//   client side: *.html <script>   lib ES2020 + DOM, types/google-script-client.d.ts
//
// Usage: node test/typecheck.js [SOURCE_DIR]   (default: the add-on; tests pass a copy)
// Exit status: tsc's (0 when every project passes).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ADDON = path.resolve(__dirname, '..');
const TSC = path.join(ADDON, 'node_modules', 'typescript', 'bin', 'tsc');
const SOURCES = path.resolve(process.argv[2] || ADDON);

function isInlineJs(attributes) {
  if (/\bsrc\s*=/i.test(attributes)) return false;
  const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(attributes);
  return !type || /^(text|application)\/javascript$|^module$/i.test(type[1]);
}

/** The page's inline scripts, everything else blanked out so that lines keep their numbers. */
function scriptsOf(html) {
  let out = '';
  let last = 0;
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;
  let match;
  while ((match = re.exec(html)) !== null) {
    const start = match.index + match[0].indexOf('>') + 1;
    out += html.slice(last, start).replace(/[^\n]/g, '');
    out += isInlineJs(match[1]) ? match[2] : match[2].replace(/[^\n]/g, '');
    last = start + match[2].length;
  }
  out += html.slice(last).replace(/[^\n]/g, '');
  return out;
}

function main() {
  if (!fs.existsSync(TSC)) {
    console.error('typescript is not installed: run `npm ci` in addon/');
    return 2;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sales-verdicts-typecheck-'));
  const names = new Map(); // temporary file -> add-on file
  try {
    const entries = fs.readdirSync(SOURCES).sort();
    const server = [];
    const client = [];
    for (const name of entries) {
      const source = path.join(SOURCES, name);
      if (name.endsWith('.gs')) {
        const copy = path.join(tmp, 'server', name.replace(/\.gs$/, '.js'));
        fs.mkdirSync(path.dirname(copy), { recursive: true });
        fs.copyFileSync(source, copy);
        server.push(copy);
        names.set(copy, source);
      } else if (name.endsWith('.html')) {
        const copy = path.join(tmp, 'client', name.replace(/\.html$/, '.js'));
        fs.mkdirSync(path.dirname(copy), { recursive: true });
        // Each page is its own browsing context: wrap nothing, but check each page alone.
        fs.writeFileSync(copy, scriptsOf(fs.readFileSync(source, 'utf8')));
        client.push(copy);
        names.set(copy, source);
      }
    }
    if (server.length === 0) {
      console.error('no .gs files found in ' + SOURCES);
      return 2;
    }
    const base = path.join(ADDON, 'tsconfig.json');
    const typeRoots = [path.join(ADDON, 'node_modules', '@types')];
    const projects = [
      {
        name: 'server (.gs)',
        config: {
          extends: base,
          compilerOptions: { lib: ['ES2020'], types: ['google-apps-script'], typeRoots },
          files: server,
        },
      },
    ];
    // Pages are separate documents: check each on its own so that their globals do not clash.
    for (const file of client) {
      projects.push({
        name: 'client (' + path.basename(names.get(file)) + ')',
        config: {
          extends: base,
          compilerOptions: { lib: ['ES2020', 'DOM', 'DOM.Iterable'], types: [], typeRoots },
          files: [path.join(ADDON, 'types', 'google-script-client.d.ts'), file],
        },
      });
    }
    let status = 0;
    projects.forEach((project, i) => {
      const configFile = path.join(tmp, 'tsconfig.' + i + '.json');
      fs.writeFileSync(configFile, JSON.stringify(project.config, null, 2));
      const result = spawnSync(process.execPath, [TSC, '-p', configFile, '--pretty', 'false'], {
        encoding: 'utf8',
      });
      let report = (result.stdout || '') + (result.stderr || '');
      for (const [copy, source] of names) {
        const shown = path.relative(process.cwd(), source);
        report = report.split(path.relative(process.cwd(), copy)).join(shown);
        report = report.split(copy).join(shown);
      }
      const ok = result.status === 0;
      console.log((ok ? 'ok   ' : 'FAIL ') + project.name);
      if (report.trim()) console.log(report.trim());
      if (!ok) status = result.status || 1;
    });
    return status;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = main();
