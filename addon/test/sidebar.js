#!/usr/bin/env node
// Opens the add-on's pages in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) and reports what a person sees, as JSON on stdout.
//
//   node test/sidebar.js sidebar ANSWER.json [SCREENSHOT.png]
//     Sidebar.html at 300 px wide. google.script.run is a stand-in whose getLatestRun
//     answers with ANSWER.json: what the add-on's getLatestRun returned ({ok, run}), or a
//     bare run. The page's own glue loads and renders it.
//   node test/sidebar.js settings CONFIG.json
//   node test/sidebar.js workflow CONFIG.json
//     The pages with google.script.run bridged to the add-on itself: each call runs the
//     server function in the .gs files under the Apps Script stand-ins (test/gas.js, in this
//     Node process), whose UrlFetchApp calls the backend CONFIG names for real. One browser
//     for all the flows of a command; CONFIG says where the backend is, which spreadsheet
//     each flow uses, and where to put screenshots.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { createAppsScript } = require('./gas');

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
  // The file holds the answers of the add-on's functions by name ({"answers": {...}}), or
  // only getLatestRun's (an answer, or a bare run).
  const given = JSON.parse(fs.readFileSync(answerFile, 'utf8'));
  const answers =
    given && given.answers ? given.answers : { getLatestRun: given && typeof given.ok === 'boolean' ? given : { ok: true, run: given } };
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
    await page.addInitScript(runnerStub, answers);
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

// -- pages bridged to the add-on ------------------------------------------------------------

/**
 * google.script.run in the page: each call goes to window.__gasCall (exposed by Node), which
 * runs the add-on's server function; results come back as Apps Script hands them over
 * (JSON-like values), failures as Errors.
 */
function bridgeStub() {
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
            window.__gasCall(name, JSON.parse(JSON.stringify(args))).then((answer) => {
              if (answer.ok) {
                if (success) success(answer.value);
              } else if (failure) {
                failure(new Error(answer.error));
              }
            });
          };
        },
      }
    );
  window.__hostClosed = 0;
  window.google = { script: { run: makeRunner(null, null), host: { close: () => { window.__hostClosed += 1; } } } };
}

/** A page whose google.script.run calls run `gas` (an Apps Script stand-in with the add-on). */
async function bridgedPage(browser, file, gas, viewport) {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 2, locale: 'en-US', timezoneId: 'UTC' });
  const problems = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  await page.exposeFunction('__gasCall', (name, args) => {
    try {
      const value = gas.call(name, ...args);
      return { ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) };
    } catch (err) {
      return { ok: false, error: String((err && err.message) || err) };
    }
  });
  await page.addInitScript(bridgeStub);
  await page.goto(pageUrl(file));
  return { page, problems };
}

/** The stand-ins for one spreadsheet of CONFIG, with the backend address saved. */
function gasFor(config, spreadsheetId, extra, evals) {
  const gas = createAppsScript(
    Object.assign(
      {
        spreadsheetId,
        oauthToken: config.token,
        userEmail: config.userEmail || 'analyst@example.com',
        timeZone: config.timeZone || 'Europe/London',
        sheetNames: ['Plan', 'Bookings', 'Summary'],
        documentProperties: { SALES_VERDICTS_SETTINGS: JSON.stringify({ backendUrl: config.backend }) },
      },
      extra || {}
    )
  );
  // The page may check on a run faster than the add-on does (the Node tests check the
  // add-on's own timing); config.evals says how, e.g. "POLL_FIRST_MS = 300".
  for (const code of (config.evals || []).concat(evals || [])) require('node:vm').runInContext(code, gas.context);
  return gas;
}

const SIDEBAR_VIEWPORT = { width: 300, height: 1000 };

/** Texts of the progress box, sampled every 100 ms from now until it has been shown and
 * hidden again (the run is over). */
async function watchProgress(page, timeoutMs) {
  return page.evaluate(
    (timeout) =>
      new Promise((resolve) => {
        const seen = [];
        const started = Date.now();
        const sample = () => {
          const box = document.getElementById('progress');
          if (!box.hidden) {
            const text = box.querySelector('p').textContent.replace(/\s+/g, ' ').trim();
            if (seen[seen.length - 1] !== text) seen.push(text);
          }
          const over = seen.length > 0 && box.hidden;
          if (over || Date.now() - started > timeout) {
            resolve({ seen, done: over, ms: Date.now() - started });
          } else {
            setTimeout(sample, 100);
          }
        };
        sample();
      }),
    timeoutMs
  );
}

/** The page has loaded the latest run and the quarter list. */
async function loaded(page) {
  await page.waitForFunction(
    () =>
      document.querySelectorAll('#quarter option').length > 1 &&
      document.getElementById('run').getAttribute('aria-busy') === 'false' &&
      !/^Loading/.test(document.getElementById('status').textContent)
  );
}

/** What the sidebar shows now. */
function sidebarState(page) {
  return page.evaluate(() => {
    const text = (node) => (node ? node.textContent.replace(/\s+/g, ' ').trim() : null);
    const select = document.getElementById('quarter');
    return {
      quarter: select.value,
      options: [...select.options].map((o) => ({
        value: o.value,
        text: text(o),
        disabled: o.disabled,
        inProgress: o.getAttribute('data-in-progress') === 'true',
      })),
      status: text(document.getElementById('status')),
      error: text(document.getElementById('error')),
      progressHidden: document.getElementById('progress').hidden,
      headings: [...document.querySelectorAll('#run h2')].map(text),
      meta: text(document.querySelector('#verdicts-heading + .meta')),
      cards: [...document.querySelectorAll('#run article.card')].map((card) => ({
        heading: text(card.querySelector('h3')),
        verdict: card.getAttribute('data-verdict'),
        figures: [...card.querySelectorAll('.figures dt')].map((dt) => [text(dt), text(dt.nextElementSibling)]),
        trend: [...card.querySelectorAll('.trend li')].map((li) => ({
          verdict: li.getAttribute('data-verdict'),
          label: li.getAttribute('aria-label'),
          current: li.classList.contains('current'),
        })),
        why: text(card.querySelector('.why')),
        cause: card.querySelector('.why .cause') ? card.querySelector('.why .cause').getAttribute('data-cause') : null,
        action: text(card.querySelector('.action')),
        width: card.getBoundingClientRect().width,
      })),
      pace: [...document.querySelectorAll('#run .pace li')].map((li) => ({
        group: li.getAttribute('data-group'),
        text: text(li),
      })),
      paceHeading: text(document.getElementById('pace-heading')),
      paceNote: text(document.querySelector('#run .pace-block .note')),
      paceMeta: text(document.querySelector('#run .pace-block .meta')),
      changes: [...document.querySelectorAll('#run .changes li')].map(text),
      issues: [...document.querySelectorAll('#run .issues li')].map((li) => ({
        text: text(li),
        severity: li.getAttribute('data-severity'),
        isButton: !!li.querySelector('button.issue-link'),
      })),
      outcomeIssues: [...document.querySelectorAll('#outcome .issues li')].map(text),
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    };
  });
}

function historyState(page) {
  return page.evaluate(() => {
    const text = (node) => (node ? node.textContent.replace(/\s+/g, ' ').trim() : null);
    return {
      visible: !document.getElementById('history-view').hidden,
      verdictsHidden: document.getElementById('verdicts-view').hidden,
      pressed: document.getElementById('show-history').getAttribute('aria-pressed'),
      runs: [...document.querySelectorAll('#history .history > li')].map((li) => ({
        id: li.getAttribute('data-run'),
        status: li.getAttribute('data-status'),
        title: text(li.querySelector('strong')),
        chip: text(li.querySelector('.chip')),
        chipColor: getComputedStyle(li.querySelector('.chip')).color,
        chipBackground: getComputedStyle(li.querySelector('.chip')).backgroundColor,
        meta: text(li.querySelector('.meta')),
        error: text(li.querySelector('.run-error')),
        changes: [...li.querySelectorAll('.changes li')].map(text),
        note: text(li.querySelector('.note')),
      })),
      empty: text(document.querySelector('#history .empty')),
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    };
  });
}

/** Classify a quarter picked from the list; follow the run to its end; jump; History. */
async function pollFlow(browser, config, flow) {
  const gas = gasFor(config, flow.spreadsheetId);
  const { page, problems } = await bridgedPage(browser, 'Sidebar.html', gas, SIDEBAR_VIEWPORT);
  await loaded(page);
  const opened = await sidebarState(page);
  if (flow.pick) await page.selectOption('#quarter', flow.pick);
  await page.click('#classify-button');
  const progress = await watchProgress(page, 60000);
  await page.waitForFunction(() => /^Classified /.test(document.getElementById('status').textContent));
  const done = await sidebarState(page);
  if (flow.screenshot) {
    // The whole sidebar: the quarter list, the pace, every group's card with its why.
    await page.mouse.move(299, 0);
    await page.screenshot({ path: flow.screenshot, fullPage: true });
  }

  // A data issue, clicked, selects its cell in the sheet.
  await page.click('#run .issues li:first-child button');
  await page.waitForFunction(() => /^Selected /.test(document.getElementById('status').textContent));
  const jumped = { status: await page.textContent('#status'), activeRange: gas.record.activeRange };
  // One without a cell selects its row.
  await page.click('#run .issues li[data-severity="INFO"] button');
  await page.waitForFunction(() => /row|:/.test(document.getElementById('status').textContent) && /A40/.test(document.getElementById('status').textContent));
  const jumpedRow = gas.record.activeRange;

  await page.click('#show-history');
  await page.waitForSelector('#history .history > li, #history .empty');
  const history = await historyState(page);
  if (flow.historyScreenshot) {
    await page.mouse.move(299, 0); // no hover on the tab just clicked
    await page.setViewportSize({ width: 300, height: 560 });
    await page.screenshot({ path: flow.historyScreenshot, fullPage: true });
  }
  const calls = await page.evaluate(() => window.__calls.map((c) => ({ name: c.name, args: c.args })));
  await page.close();
  return { opened, progress, done, jumped, jumpedRow, history, calls, problems };
}

/** A run that fails after a check: why, and its issues, clickable. */
async function failedFlow(browser, config, flow) {
  const gas = gasFor(config, flow.spreadsheetId);
  const { page, problems } = await bridgedPage(browser, 'Sidebar.html', gas, SIDEBAR_VIEWPORT);
  await loaded(page);
  await page.click('#classify-button');
  await page.waitForFunction(() => document.getElementById('error').textContent !== '', null, { timeout: 60000 });
  const state = await sidebarState(page);
  await page.click('#outcome .issues li:first-child button');
  await page.waitForFunction(() => /^Selected /.test(document.getElementById('status').textContent));
  const activeRange = gas.record.activeRange;
  await page.close();
  return { state, activeRange, problems };
}

/** The sidebar opened while a run goes on (the page that started it was closed). */
async function reopenFlow(browser, config, flow) {
  const gas = gasFor(config, flow.spreadsheetId);
  const started = gas.call('startClassification', '');
  const { page, problems } = await bridgedPage(browser, 'Sidebar.html', gas, SIDEBAR_VIEWPORT);
  await page.waitForFunction(() => !document.getElementById('progress').hidden, null, { timeout: 20000 });
  const progress = await watchProgress(page, 60000);
  await page.waitForSelector('#run article.card');
  const state = await sidebarState(page);
  await page.close();
  return { startedStatus: started.run.status, progress, state, problems };
}

/** A run that never ends: the page gives up at the add-on's limit, and says the run goes on. */
async function cappedFlow(browser, config, flow) {
  const gas = gasFor(config, flow.spreadsheetId, {}, flow.evals);
  const { page, problems } = await bridgedPage(browser, 'Sidebar.html', gas, SIDEBAR_VIEWPORT);
  await loaded(page);
  await page.click('#classify-button');
  await page.waitForFunction(() => /stopped checking/.test(document.getElementById('error').textContent), null, { timeout: 60000 });
  const state = await sidebarState(page);
  const checks = await page.evaluate(() => window.__calls.filter((c) => c.name === 'pollRun').length);
  await page.close();
  return { state, checks, problems };
}

async function workflow(configFile) {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  const flows = { poll: pollFlow, failed: failedFlow, reopen: reopenFlow, capped: cappedFlow };
  return withBrowser(async (browser) => {
    const out = {};
    for (const [name, flow] of Object.entries(config.flows)) out[name] = await flows[name](browser, config, flow);
    return out;
  });
}

/** Settings: validation, a schedule saved (its trigger installed), alerts saved and removed. */
async function settings(configFile) {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  return withBrowser(async (browser) => {
    const gas = gasFor(config, config.spreadsheetId, { documentProperties: {} });
    const { page, problems } = await bridgedPage(browser, 'Settings.html', gas, { width: 480, height: 680 });
    await page.waitForFunction(() => document.getElementById('planTab').value === 'Plan');

    const labelled = await page.evaluate(() =>
      [...document.querySelectorAll('input[type=text], select')].map((n) => ({
        id: n.id,
        label: document.querySelector('label[for="' + n.id + '"]') ? document.querySelector('label[for="' + n.id + '"]').textContent.trim() : null,
      }))
    );
    const alertsBefore = await page.textContent('#alerts-current');

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
    }));
    const storedWhileInvalid = Object.assign({}, gas.documentProperties.values);

    await page.fill('#backendUrl', config.backend);
    await page.fill('#summaryTab', 'Verdicts');
    await page.fill('#planTab', 'Targets FY25');
    await page.selectOption('#fiscalYearStartMonth', '2');
    await page.selectOption('#schedule', 'CLOSE');
    await page.selectOption('#scheduleHour', '7');
    await page.focus('#groupBy');
    await page.keyboard.type('Region, Segment');
    await page.keyboard.press('Enter'); // submits the form from the keyboard
    await page.waitForFunction(() => document.getElementById('status').textContent === 'Saved.');
    await page.waitForFunction(() => window.__hostClosed > 0);
    const saved = await page.evaluate(() => ({
      backendUrl: document.getElementById('backendUrl').value,
      invalid: [...document.querySelectorAll('[aria-invalid=true]')].map((n) => n.id),
      closed: window.__hostClosed,
    }));
    saved.stored = Object.assign({}, gas.documentProperties.values);
    saved.triggers = JSON.parse(JSON.stringify(gas.record.triggers));

    // The dialog as it opens next time: the schedule shown, the alerts read from the backend.
    await page.reload();
    await page.waitForFunction(() => document.getElementById('schedule').value === 'CLOSE');
    await page.waitForFunction(() => !/save its address first/.test(document.getElementById('alerts-current').textContent));
    const reopened = await page.evaluate(() => ({
      schedule: document.getElementById('schedule').value,
      hour: document.getElementById('scheduleHour').value,
      hint: document.getElementById('schedule-hint').textContent,
      alerts: document.getElementById('alerts-current').textContent,
      checked: [...document.querySelectorAll('input[name=on]:checked')].map((n) => n.value),
    }));

    // Alerts: a URL off the backend's list, then a Slack webhook with two events.
    await page.fill('#webhookUrl', config.badWebhook);
    await page.click('#save-alerts');
    await page.waitForFunction(() => document.getElementById('webhookUrl-error').textContent !== '');
    const refused = await page.evaluate(() => ({
      error: document.getElementById('webhookUrl-error').textContent,
      status: document.getElementById('alerts-status').textContent,
      focused: document.activeElement.id,
    }));
    await page.fill('#webhookUrl', config.webhook);
    for (const box of await page.$$('input[name=on]')) await box.setChecked(false);
    await page.check('input[name=on][value=NEW_HARD_MISS]');
    await page.check('input[name=on][value=EVERY_RUN]');
    await page.click('#save-alerts');
    await page.waitForFunction(() => document.getElementById('alerts-status').textContent === 'Alerts saved.');
    const alertsSaved = await page.evaluate(() => ({
      current: document.getElementById('alerts-current').textContent,
      field: document.getElementById('webhookUrl').value,
      checked: [...document.querySelectorAll('input[name=on]:checked')].map((n) => n.value),
      removeVisible: !document.getElementById('remove-webhook').hidden,
      fieldError: document.getElementById('webhookUrl-error').textContent,
    }));
    if (config.screenshot) {
      // From the Schedule to the end of Alerts.
      const box = await page.evaluate(() => {
        const top = document.getElementById('schedule').closest('fieldset').getBoundingClientRect().top + window.scrollY;
        const bottom = document.getElementById('alerts').getBoundingClientRect().bottom + window.scrollY;
        return { top: Math.max(0, top - 8), height: bottom - top + 16 };
      });
      await page.screenshot({ path: config.screenshot, fullPage: true, clip: { x: 0, y: box.top, width: 480, height: box.height } });
    }
    await page.click('#remove-webhook');
    await page.waitForFunction(() => /Webhook removed/.test(document.getElementById('alerts-status').textContent));
    const removed = await page.evaluate(() => ({
      current: document.getElementById('alerts-current').textContent,
      checked: [...document.querySelectorAll('input[name=on]:checked')].map((n) => n.value),
    }));
    const page_text = await page.content();
    return {
      labelled,
      alertsBefore,
      invalid,
      storedWhileInvalid,
      saved,
      reopened,
      refused,
      alertsSaved,
      removed,
      webhookInPage: page_text.includes(config.webhook),
      problems,
    };
  });
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  let result;
  if (command === 'sidebar') result = await sidebar(args[0], args[1]);
  else if (command === 'settings') result = await settings(args[0]);
  else if (command === 'workflow') result = await workflow(args[0]);
  else throw new Error('usage: sidebar.js sidebar RUN.json [SCREENSHOT] | settings CONFIG.json | workflow CONFIG.json');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
