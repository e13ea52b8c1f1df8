#!/usr/bin/env node
// Opens the add-on's pages in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) and reports what a person sees, as JSON on stdout.
//
//   node test/sidebar.js sidebar ANSWER.json [SCREENSHOT.png]
//     Sidebar.html at 300 px wide. google.script.run is a stand-in whose getLatestRun
//     answers with ANSWER.json: what the add-on's getLatestRun returned ({ok, run}), or a
//     bare run. The page's own glue loads and renders it.
//   node test/sidebar.js settings
//     Settings.html with a google.script.run stand-in that runs the add-on's real
//     saveSettings/getSettingsForm (Code.gs loaded into the page) over in-memory
//     document properties.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const ADDON = path.resolve(__dirname, '..');
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
// Flags that keep Debian's Chromium quiet and offline in a container (see NOTES.md).
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function pageUrl(name) {
  return 'file://' + path.join(ADDON, name);
}

async function withBrowser(fn) {
  const browser = await chromium.launch({ executablePath: EXECUTABLE, headless: true, args: FLAGS });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

/** A google.script.run stand-in: each server function answers after a short delay. */
function runnerStub(answers) {
  // Runs in the page, before its scripts.
  window.__calls = [];
  const makeRunner = (success, failure) =>
    new Proxy(
      {},
      {
        get(_, name) {
          if (name === 'withSuccessHandler') return (h) => makeRunner(h, failure);
          if (name === 'withFailureHandler') return (h) => makeRunner(success, h);
          if (name === 'withUserObject') return () => makeRunner(success, failure);
          return (...args) => {
            window.__calls.push({ name, args });
            setTimeout(() => {
              try {
                const value = window.__answer(name, args, answers);
                if (success) success(value);
              } catch (err) {
                if (failure) failure(err);
              }
            }, 50);
          };
        },
      }
    );
  window.__hostClosed = 0;
  window.google = { script: { run: makeRunner(null, null), host: { close: () => { window.__hostClosed += 1; } } } };
}

async function sidebar(answerFile, screenshot) {
  const given = JSON.parse(fs.readFileSync(answerFile, 'utf8'));
  const answer = given && typeof given.ok === 'boolean' ? given : { ok: true, run: given };
  return withBrowser(async (browser) => {
    const page = await browser.newPage({
      viewport: { width: 300, height: 900 },
      deviceScaleFactor: 2,
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    const problems = [];
    page.on('pageerror', (err) => problems.push(String(err)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    await page.addInitScript(runnerStub, { getLatestRun: answer });
    await page.addInitScript(() => {
      window.__answer = (name, args, answers) => answers[name];
    });
    await page.goto(pageUrl('Sidebar.html'));
    await page.waitForSelector('#run .card, #run .empty', { timeout: 10000 });

    const seen = await page.evaluate(() => {
      const style = (node) => getComputedStyle(node);
      const text = (node) => (node ? node.textContent.trim() : null);
      const cards = [...document.querySelectorAll('#run article.card')].map((card) => {
        const label = card.querySelector('.verdict');
        return {
          heading: text(card.querySelector('h3')),
          labelledBy: text(document.getElementById(card.getAttribute('aria-labelledby'))),
          verdict: card.getAttribute('data-verdict'),
          label: text(label),
          background: style(card).backgroundColor,
          border: style(card).borderLeftColor,
          color: style(card).color,
          labelColor: style(label).color,
          labelBackground: style(label).backgroundColor,
          badges: [...card.querySelectorAll('.flags .badge')].map((b) => ({
            text: text(b),
            color: style(b).color,
            background: style(b).backgroundColor,
          })),
          figures: [...card.querySelectorAll('.figures dt')].map((dt) => [text(dt), text(dt.nextElementSibling)]),
          action: text(card.querySelector('.action')),
          width: card.getBoundingClientRect().width,
        };
      });
      return {
        title: document.title,
        headings: [...document.querySelectorAll('h1, h2, h3')].map((h) => [h.tagName, text(h)]),
        cards,
        issues: [...document.querySelectorAll('#run .issues li')].map((li) => ({
          text: text(li),
          severity: li.getAttribute('data-severity'),
        })),
        issuesHeading: text(document.getElementById('issues-heading')),
        liveRegions: [...document.querySelectorAll('[aria-live], [role=alert], [role=status]')].map((n) => n.id),
        busy: document.getElementById('run').getAttribute('aria-busy'),
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        bodyBackground: style(document.body).backgroundColor,
        landmarks: [...document.querySelectorAll('main, header')].map((n) => n.tagName),
      };
    });

    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });

    // Keyboard: the refresh button is the first stop, shows its focus, and works with Enter.
    const callsBefore = await page.evaluate(() => window.__calls.length);
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const active = document.activeElement;
      const s = getComputedStyle(active);
      return {
        id: active.id,
        tag: active.tagName,
        text: active.textContent.trim(),
        outlineStyle: s.outlineStyle,
        outlineWidth: s.outlineWidth,
        outlineColor: s.outlineColor,
        color: s.color,
        background: s.backgroundColor,
      };
    });
    await page.keyboard.press('Enter');
    const loadingStatus = await page.evaluate(() => document.getElementById('status').textContent);
    await page.waitForFunction((n) => window.__calls.length > n && document.getElementById('run').getAttribute('aria-busy') === 'false', callsBefore);
    await page.waitForSelector('#run .card, #run .empty');
    const after = await page.evaluate(() => ({
      calls: window.__calls.map((c) => c.name),
      cards: document.querySelectorAll('#run article.card').length,
      stillFocused: document.activeElement && document.activeElement.id,
    }));
    // Errors and the empty state, through the plain rendering functions.
    const error = await page.evaluate(() => {
      window.renderError('The backend at example.com cannot be reached.');
      const node = document.getElementById('error');
      return { text: node.textContent, role: node.getAttribute('role'), visible: getComputedStyle(node).display !== 'none' };
    });
    const empty = await page.evaluate(() => {
      window.renderRun(null);
      return {
        text: document.getElementById('run').textContent.trim(),
        errorCleared: document.getElementById('error').textContent === '',
      };
    });
    const hostile = await page.evaluate(() => {
      window.renderRun({
        quarter: '2025-Q1',
        current: [{ group: '<img src=x onerror="window.__pwned=1">', quarter: '2025-Q1', verdict: 'BEAT', flags: [] }],
        issues: [],
      });
      return { heading: document.querySelector('#run h3').textContent, images: document.querySelectorAll('#run img').length };
    });
    return { seen, focus, loadingStatus, after, error, empty, hostile, problems };
  });
}

async function settings() {
  const code = fs.readFileSync(path.join(ADDON, 'Code.gs'), 'utf8');
  return withBrowser(async (browser) => {
    const page = await browser.newPage({ viewport: { width: 460, height: 620 } });
    const problems = [];
    page.on('pageerror', (err) => problems.push(String(err)));
    await page.addInitScript(runnerStub, {});
    // The add-on's own server code answers, over in-memory document properties.
    await page.addInitScript((source) => {
      const store = {};
      const properties = {
        getProperties: () => Object.assign({}, store),
        getProperty: (k) => (k in store ? store[k] : null),
        setProperties: (values) => Object.assign(store, values),
        setProperty: (k, v) => { store[k] = String(v); },
        deleteProperty: (k) => { delete store[k]; },
      };
      window.PropertiesService = { getDocumentProperties: () => properties, getUserProperties: () => properties };
      window.__store = store;
      const server = {};
      // eslint-disable-next-line no-new-func
      new Function('server', source + '\nserver.saveSettings = saveSettings; server.getSettingsForm = getSettingsForm;')(server);
      window.__answer = (name, args) => server[name](...args);
    }, code);
    await page.goto(pageUrl('Settings.html'));
    await page.waitForFunction(() => document.getElementById('planTab').value === 'Plan');

    const labelled = await page.evaluate(() =>
      [...document.querySelectorAll('input[type=text], select')].map((n) => ({
        id: n.id,
        label: document.querySelector('label[for="' + n.id + '"]') ? document.querySelector('label[for="' + n.id + '"]').textContent.trim() : null,
      }))
    );

    await page.fill('#backendUrl', 'http://verdicts.example.com');
    await page.fill('#summaryTab', 'plan');
    await page.click('#save');
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Not saved'));
    const invalid = await page.evaluate(() => ({
      status: document.getElementById('status').textContent,
      backendUrlError: document.getElementById('backendUrl-error').textContent,
      summaryTabError: document.getElementById('summaryTab-error').textContent,
      invalid: [...document.querySelectorAll('[aria-invalid=true]')].map((n) => n.id),
      focused: document.activeElement.id,
      stored: Object.assign({}, window.__store),
    }));

    await page.fill('#backendUrl', 'https://verdicts.example.com');
    await page.fill('#summaryTab', 'Verdicts');
    await page.fill('#planTab', 'Targets FY25');
    await page.selectOption('#fiscalYearStartMonth', '2');
    await page.check('input[name=authMode][value=SERVICE_ACCOUNT]');
    await page.focus('#groupBy');
    await page.keyboard.type('Region, Segment');
    await page.keyboard.press('Enter'); // submits the form from the keyboard
    await page.waitForFunction(() => document.getElementById('status').textContent === 'Saved.');
    await page.waitForFunction(() => window.__hostClosed > 0);
    const saved = await page.evaluate(() => ({
      stored: Object.assign({}, window.__store),
      backendUrl: document.getElementById('backendUrl').value,
      invalid: [...document.querySelectorAll('[aria-invalid=true]')].map((n) => n.id),
      closed: window.__hostClosed,
    }));
    return { labelled, invalid, saved, problems };
  });
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  let result;
  if (command === 'sidebar') result = await sidebar(args[0], args[1]);
  else if (command === 'settings') result = await settings();
  else throw new Error('usage: sidebar.js sidebar RUN.json [SCREENSHOT] | settings');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
