/**
 * Runs in the sidebar: starting one, following it while it goes on in the backend, the
 * latest run with its pace, drivers and trends, the quarter list, the History view, and
 * jumping to a data issue's cell. Every function without "_" is called by Sidebar.html
 * (google.script.run) and answers {ok: true, ...} or {ok: false, message}.
 *
 * A run can outlive the request that started it: classifyQuarter waits RUN_WAIT_SECONDS
 * at most and answers RUNNING with the run's id; the page then calls pollRun until the run
 * is done. The page only waits: how long between two checks and when to give up is
 * decided here (nextPollDelayMs_), so that the Node tests drive the same rules.
 */

/** The first check comes 2 s after the start, then each wait is 1.5 times longer, up to 5 s. */
var POLL_FIRST_MS = 2000;
var POLL_BACKOFF = 1.5;
var POLL_MAX_MS = 5000;
/** The page stops checking 10 minutes after it started (the run carries on regardless). */
var POLL_LIMIT_MS = 10 * 60 * 1000;
/** Quarters of each group's trend in the sidebar, the run's own included. */
var TREND_QUARTERS = 6;
var HISTORY_LIMIT = 20;

// Both documents below select the same run fields: tests/addon checks that they agree.
var RUN_DOCUMENT = `
query AddonRun($id: ID!) {
  run(id: $id) {
    id
    spreadsheetId
    status
    error
    caller
    trigger
    quarter
    quarterLabel
    startedAt
    finishedAt
    classifiedAt
    summaryTab
    currency
    inQuarter
    current {
      group quarter label plan bookings baseline attainment growth gap verdict flags action inProgress
      drivers { deals averageDeal lostDeals winRate leads bookingsPerLead cause explanation }
    }
    verdicts { group quarter label verdict }
    pace { group quarter label asOf elapsed booked projected plan pipeline coverage outlook method }
    issues { tab row column value message severity cell }
    changes { group quarter before after }
  }
}
`;

// The newest successful run (what the sidebar shows), and the newest run whatever its
// status (one still going is followed; one that failed is reported), in one request.
var LATEST_RUN_DOCUMENT = `
query AddonLatestRun($spreadsheetId: ID!) {
  latestRun(spreadsheetId: $spreadsheetId) {
    id
    spreadsheetId
    status
    error
    caller
    trigger
    quarter
    quarterLabel
    startedAt
    finishedAt
    classifiedAt
    summaryTab
    currency
    inQuarter
    current {
      group quarter label plan bookings baseline attainment growth gap verdict flags action inProgress
      drivers { deals averageDeal lostDeals winRate leads bookingsPerLead cause explanation }
    }
    verdicts { group quarter label verdict }
    pace { group quarter label asOf elapsed booked projected plan pipeline coverage outlook method }
    issues { tab row column value message severity cell }
    changes { group quarter before after }
  }
  runs(spreadsheetId: $spreadsheetId, limit: 1) {
    id
    status
    error
    caller
    trigger
    quarter
    quarterLabel
    startedAt
    issues { tab row column value message severity cell }
  }
}
`;

var QUARTERS_DOCUMENT = `
query AddonQuarters($spreadsheetId: ID!, $options: ClassifyOptions) {
  quarters(spreadsheetId: $spreadsheetId, options: $options) {
    quarter
    label
    inProgress
    classifiable
  }
}
`;

var HISTORY_DOCUMENT = `
query AddonHistory($spreadsheetId: ID!, $limit: Int!) {
  runs(spreadsheetId: $spreadsheetId, limit: $limit) {
    id
    status
    error
    caller
    trigger
    quarter
    quarterLabel
    startedAt
    finishedAt
    classifiedAt
    changes { group quarter before after }
  }
}
`;

/**
 * @typedef {{ok: true, run: any, newest?: any, nextDelayMs?: number | null, message?: string}
 *   | {ok: false, message: string, issues?: any[]}} RunAnswer
 */

/**
 * The sidebar's Classify button: starts a run of `quarter` (a canonical "2025-Q3" from
 * the quarter list; empty for the latest that has ended) and waits RUN_WAIT_SECONDS at
 * most. A run that is done comes back whole; one still going comes back RUNNING, and
 * the page follows it with pollRun.
 * @param {string | null} quarter
 * @returns {RunAnswer}
 */
function startClassification(quarter) {
  var settings = getSettings();
  if (!settings.backendUrl) return { ok: false, message: MESSAGES_.notConfigured() };
  var asked = quarter === null || quarter === undefined ? '' : String(quarter).trim();
  if (asked && !/^\d{4}-Q[1-4]$/.test(asked)) return { ok: false, message: MESSAGES_.notAQuarter() };
  var spreadsheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
  var outcome = classify_(spreadsheetId, asked || null, settings, 'MENU', RUN_WAIT_SECONDS);
  if (!outcome.ok) return failedAnswer_(outcome);
  var started = outcome.data.classifyQuarter;
  if (started.status === 'RUNNING') {
    return { ok: true, run: viewOfRun_(started), nextDelayMs: nextPollDelayMs_(0, 0) };
  }
  // Done within the wait: fetch everything the sidebar shows of it.
  var whole = callBackend_(settings, RUN_DOCUMENT, { id: started.id }, 'AddonRun');
  if (!whole.ok || !whole.data.run) return { ok: true, run: viewOfRun_(started) };
  return { ok: true, run: viewOfRun_(whole.data.run) };
}

/**
 * One check on a run the page is following: `attempt` is this check's number (1 for the
 * first), `elapsedMs` the time since the page started following (the page's own clock).
 * While the run goes on, nextDelayMs says when to check again; null means stop (the run is
 * done, or the page has followed it for POLL_LIMIT_MS, and `message` says so).
 * @param {string} id
 * @param {number} attempt
 * @param {number} elapsedMs
 * @returns {RunAnswer}
 */
function pollRun(id, attempt, elapsedMs) {
  var settings = getSettings();
  if (!settings.backendUrl) return { ok: false, message: MESSAGES_.notConfigured() };
  var runId = String(id || '').slice(0, 200);
  if (!runId) return { ok: false, message: MESSAGES_.runGone() };
  var outcome = callBackend_(settings, RUN_DOCUMENT, { id: runId }, 'AddonRun');
  if (!outcome.ok) return failedAnswer_(outcome);
  if (!outcome.data.run) return { ok: false, message: MESSAGES_.runGone() };
  var run = viewOfRun_(outcome.data.run);
  if (run.status !== 'RUNNING') return { ok: true, run: run, nextDelayMs: null };
  var delay = nextPollDelayMs_(Number(attempt) || 0, Number(elapsedMs) || 0);
  if (delay === null) {
    return {
      ok: true,
      run: run,
      nextDelayMs: null,
      message: MESSAGES_.pollGaveUp(Math.round(POLL_LIMIT_MS / 60000)),
    };
  }
  return { ok: true, run: run, nextDelayMs: delay };
}

/**
 * How long to wait before check number `attempt` + 1: 2 s, 3 s, 4.5 s, then 5 s, never
 * past POLL_LIMIT_MS after the page started following; null once that time has passed.
 * @param {number} attempt checks made so far (0 before the first)
 * @param {number} elapsedMs
 * @returns {number | null}
 */
function nextPollDelayMs_(attempt, elapsedMs) {
  var left = POLL_LIMIT_MS - Math.max(0, elapsedMs);
  if (left <= 0) return null;
  var delay = Math.min(POLL_MAX_MS, Math.round(POLL_FIRST_MS * Math.pow(POLL_BACKOFF, Math.max(0, attempt))));
  return Math.min(delay, left);
}

/**
 * What the sidebar opens on: the newest successful run (`run`; null when there is none
 * yet), and the newest run when it is another one (`newest`): still going (nextDelayMs
 * then says when the page checks on it: a page closed mid-run loses nothing) or failed.
 * @returns {RunAnswer}
 */
function getLatestRun() {
  var settings = getSettings();
  if (!settings.backendUrl) return { ok: false, message: MESSAGES_.notConfigured() };
  var spreadsheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
  var outcome = callBackend_(
    settings,
    LATEST_RUN_DOCUMENT,
    { spreadsheetId: spreadsheetId },
    'AddonLatestRun'
  );
  if (!outcome.ok) return failedAnswer_(outcome);
  var latest = outcome.data.latestRun;
  /** @type {RunAnswer} */
  var answer = { ok: true, run: latest ? viewOfRun_(latest) : null };
  var newest = (outcome.data.runs || [])[0];
  if (newest && (!latest || newest.id !== latest.id)) {
    answer.newest = newest;
    if (newest.status === 'RUNNING') answer.nextDelayMs = nextPollDelayMs_(0, 0);
  }
  return answer;
}

/**
 * The sheet's quarters for the quarter list, newest first, and the one to choose by
 * default: the latest that has ended and can be classified.
 * @returns {{ok: true, quarters: Array<{quarter: string, label: string, inProgress: boolean, classifiable: boolean}>, defaultQuarter: string} | {ok: false, message: string}}
 */
function getQuarters() {
  var settings = getSettings();
  if (!settings.backendUrl) return { ok: false, message: MESSAGES_.notConfigured() };
  var spreadsheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
  var outcome = callBackend_(
    settings,
    QUARTERS_DOCUMENT,
    { spreadsheetId: spreadsheetId, options: classifyOptions_(settings) },
    'AddonQuarters'
  );
  if (!outcome.ok) return { ok: false, message: outcome.message };
  var quarters = outcome.data.quarters || [];
  var ended = quarters.filter(function (/** @type {any} */ q) {
    return !q.inProgress && q.classifiable;
  })[0];
  return { ok: true, quarters: quarters, defaultQuarter: ended ? ended.quarter : '' };
}

/**
 * The History view: the newest runs of this spreadsheet (who, when, how started, what
 * changed, why one failed).
 * @returns {{ok: true, runs: any[]} | {ok: false, message: string}}
 */
function getHistory() {
  var settings = getSettings();
  if (!settings.backendUrl) return { ok: false, message: MESSAGES_.notConfigured() };
  var spreadsheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
  var outcome = callBackend_(
    settings,
    HISTORY_DOCUMENT,
    { spreadsheetId: spreadsheetId, limit: HISTORY_LIMIT },
    'AddonHistory'
  );
  if (!outcome.ok) return { ok: false, message: outcome.message };
  return { ok: true, runs: outcome.data.runs || [] };
}

/**
 * A data issue clicked in the sidebar: selects its cell (or its whole row when the issue
 * names no column) so that the person sees what to fix.
 * @param {string} tab
 * @param {number} row 1-based
 * @param {string | null} column A1 letters ("C"), or null
 * @returns {{ok: boolean, cell?: string, message?: string}}
 */
function jumpToIssue(tab, row, column) {
  var name = String(tab === null || tab === undefined ? '' : tab);
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var sheet = name && name.length <= 100 ? spreadsheet.getSheetByName(name) : null;
  if (!sheet) return { ok: false, message: MESSAGES_.noSuchTab(name.slice(0, 100)) };
  var line = Number(row);
  if (!isFinite(line) || Math.floor(line) !== line || line < 1 || line > sheet.getMaxRows()) {
    return { ok: false, message: MESSAGES_.cellOutside(name, line) };
  }
  var letters = typeof column === 'string' && /^[A-Za-z]{1,3}$/.test(column) ? column.toUpperCase() : '';
  var index = letters ? columnIndex_(letters) : 0;
  var range =
    index >= 1 && index <= sheet.getMaxColumns()
      ? sheet.getRange(line, index)
      : sheet.getRange(line, 1, 1, sheet.getMaxColumns());
  range.activate();
  return { ok: true, cell: name + '!' + range.getA1Notation() };
}

/** @param {string} letters "A" → 1, "AA" → 27 */
function columnIndex_(letters) {
  var index = 0;
  for (var i = 0; i < letters.length; i++) index = index * 26 + (letters.charCodeAt(i) - 64);
  return index;
}

/**
 * A run as the page renders it: each verdict of the run's quarter carries its group's
 * trend (its last TREND_QUARTERS verdicts, oldest first), and the full `verdicts` list is
 * left here rather than sent to the page.
 * @param {any} run
 */
function viewOfRun_(run) {
  var view = Object.assign({}, run);
  var history = Array.isArray(run.verdicts) ? run.verdicts : [];
  /** @type {Object<string, Array<{quarter: string, label: string, verdict: string}>>} */
  var byGroup = {};
  history.forEach(function (/** @type {any} */ v) {
    var key = v.group === null || v.group === undefined ? '\u0000total' : String(v.group);
    (byGroup[key] = byGroup[key] || []).push({ quarter: v.quarter, label: v.label || v.quarter, verdict: v.verdict });
  });
  view.current = (Array.isArray(run.current) ? run.current : []).map(function (/** @type {any} */ v) {
    var key = v.group === null || v.group === undefined ? '\u0000total' : String(v.group);
    var trend = (byGroup[key] || [])
      .filter(function (t) {
        return t.quarter <= v.quarter;
      })
      .sort(function (a, b) {
        return a.quarter < b.quarter ? -1 : a.quarter > b.quarter ? 1 : 0;
      });
    return Object.assign({}, v, { trend: trend.slice(-TREND_QUARTERS) });
  });
  delete view.verdicts;
  return view;
}

/**
 * @param {BackendOutcome} outcome a failed one
 * @returns {RunAnswer}
 */
function failedAnswer_(outcome) {
  var failed = /** @type {{ok: false, message: string, issues?: any[]}} */ (outcome);
  /** @type {RunAnswer} */
  var answer = { ok: false, message: failed.message };
  if (failed.issues && failed.issues.length > 0) answer.issues = failed.issues;
  return answer;
}
