/**
 * Sales Verdicts: the Google Sheets Editor add-on (Apps Script, V8 runtime).
 *
 * Extensions › Sales Verdicts › Classify quarter | Show verdicts | Settings.
 *
 * The add-on itself does no classification: it sends GraphQL requests to the Sales
 * Verdicts backend (its address is a setting) with the user's OAuth token (user mode) or
 * identity token (service-account mode), and turns every answer, good or bad, into
 * something a person can act on.
 *
 * Files (one global scope, as Apps Script loads them): Code.gs (menu, settings, the
 * backend call, every sentence), Runs.gs (runs in the sidebar: start, follow, history,
 * quarters, jump to a cell), Schedule.gs (the time-driven trigger), Alerts.gs (the webhook).
 *
 * Conventions: functions ending in "_" are private (google.script.run cannot call
 * them); the GraphQL documents are whole template literals without interpolation, so
 * tests/addon can extract them and validate them against schema.graphql.
 */

var ADDON_TITLE = 'Sales Verdicts';

/**
 * The backend address used when a spreadsheet has none in its settings. Whoever
 * deploys the add-on may set it here (and in appsscript.json's urlFetchWhitelist)
 * so that users never have to type it.
 */
var DEFAULT_BACKEND_URL = '';

/** A call slower than this gets a note in the toast (UrlFetchApp gives up at about a minute). */
var SLOW_CALL_MS = 30 * 1000;

/** Apps Script stops any execution after 6 minutes. */
var EXECUTION_LIMIT_MS = 6 * 60 * 1000;

/** How long a click waits for its run before the sidebar follows it (the API allows 0-25 s). */
var RUN_WAIT_SECONDS = 20;

var CLASSIFY_DOCUMENT = `
mutation AddonClassifyQuarter(
  $spreadsheetId: ID!
  $quarter: String
  $options: ClassifyOptions
  $wait: Int
  $trigger: String
) {
  classifyQuarter(
    spreadsheetId: $spreadsheetId
    quarter: $quarter
    options: $options
    wait: $wait
    trigger: $trigger
  ) {
    id
    status
    error
    quarter
    quarterLabel
    startedAt
    classifiedAt
    summaryTab
    current { group quarter verdict flags }
    issues { severity }
  }
}
`;

/** @type {Object<string, string>} */
var VERDICT_LABELS = {
  BEAT: 'Beat',
  SOFT_MISS: 'Soft Miss',
  HARD_MISS: 'Hard Miss',
  NO_PLAN: 'No plan',
  NO_BASELINE: 'No baseline',
};

/** @type {Object<string, string>} */
var FLAG_LABELS = {
  CONSECUTIVE_HARD_MISS: 'consecutive hard miss',
  REPEATED_HARD_MISS: 'repeated hard miss',
  FREQUENT_SOFT_MISS: 'frequent soft miss',
  UNREALISTIC_PLAN: 'unrealistic plan',
  DATA_ISSUES: 'data issues',
};

// ---------------------------------------------------------------------------
// Menu

/**
 * Builds the add-on menu, and does nothing else: in AuthMode.NONE (installed, but not
 * yet used in this document) an add-on may only add menu items, so nothing is read
 * here in any mode. The items run with full authorization once clicked.
 * @param {GoogleAppsScript.Events.SheetsOnOpen | {authMode?: GoogleAppsScript.Script.AuthMode}} [e]
 */
function onOpen(e) {
  SpreadsheetApp.getUi()
    .createAddonMenu()
    .addItem('Classify quarter', 'classifyQuarterFromMenu')
    .addItem('Show verdicts', 'showVerdicts')
    .addSeparator()
    .addItem('Settings', 'showSettings')
    .addToUi();
}

/**
 * Runs when a user installs the add-on from inside a document: show the menu at once.
 * @param {GoogleAppsScript.Events.AddonOnInstall} [e]
 */
function onInstall(e) {
  onOpen(e);
}

// ---------------------------------------------------------------------------
// Settings (document properties, edited in Settings.html)

/**
 * @typedef {{
 *   backendUrl: string,
 *   authMode: string,
 *   planTab: string,
 *   bookingsTab: string,
 *   summaryTab: string,
 *   fiscalYearStartMonth: number,
 *   comparison: string,
 *   groupBy: string[],
 *   schedule: string,
 *   scheduleHour: number,
 *   timeZone: string,
 *   scheduleOwner: string,
 * }} Settings
 */

/**
 * Every setting of a spreadsheet lives in one document property, as JSON: the backend and
 * sign-in, the classify options, and the schedule (Schedule.gs), so the trigger reads the
 * same record the menu does. Settings saved by earlier versions, one property per field
 * under "salesVerdicts.", are read when this one is missing and removed at the next save.
 */
var SETTINGS_KEY = 'SALES_VERDICTS_SETTINGS';
var SETTINGS_PREFIX = 'salesVerdicts.';
/** What the Settings form edits; timeZone and scheduleOwner are set when saving. */
var SETTING_NAMES = [
  'backendUrl',
  'authMode',
  'planTab',
  'bookingsTab',
  'summaryTab',
  'fiscalYearStartMonth',
  'comparison',
  'groupBy',
  'schedule',
  'scheduleHour',
];
var AUTH_MODES = ['USER', 'SERVICE_ACCOUNT'];
var COMPARISONS = ['PRIOR_QUARTER', 'SAME_QUARTER_LAST_YEAR'];

/** @returns {Settings} */
function defaultSettings_() {
  return {
    backendUrl: DEFAULT_BACKEND_URL,
    authMode: 'USER',
    planTab: 'Plan',
    bookingsTab: 'Bookings',
    summaryTab: 'Summary',
    fiscalYearStartMonth: 1,
    comparison: 'PRIOR_QUARTER',
    groupBy: [],
    schedule: 'OFF',
    scheduleHour: SCHEDULE_DEFAULT_HOUR,
    timeZone: '',
    scheduleOwner: '',
  };
}

/**
 * This spreadsheet's settings (defaults where none were saved). Called by Settings.html.
 * @returns {Settings}
 */
function getSettings() {
  return readSettings_(PropertiesService.getDocumentProperties());
}

/**
 * The settings kept in these document properties (null: none, as in a trigger that runs
 * without its document).
 * @param {GoogleAppsScript.Properties.Properties | null} properties
 * @returns {Settings}
 */
function readSettings_(properties) {
  if (!properties) return defaultSettings_();
  var raw = properties.getProperty(SETTINGS_KEY);
  /** @type {Object<string, any>} */
  var stored = {};
  if (raw) {
    try {
      var parsed = JSON.parse(raw);
      if (parsed && typeof parsed === 'object') stored = parsed;
    } catch (err) {
      stored = {};
    }
  } else {
    var legacy = properties.getProperties();
    SETTING_NAMES.forEach(function (name) {
      var value = legacy[SETTINGS_PREFIX + name];
      if (value !== undefined && value !== null) stored[name] = value;
    });
  }
  return settingsFromRecord_(stored);
}

/**
 * Settings from a stored record. Stored values were validated when saved; a hand-edited
 * one that no longer validates falls back to its default instead of reaching the backend.
 * @param {Object<string, any>} stored
 * @returns {Settings}
 */
function settingsFromRecord_(stored) {
  var form = settingsAsForm_(defaultSettings_());
  var defaults = settingsAsForm_(defaultSettings_());
  SETTING_NAMES.forEach(function (name) {
    var value = stored[name];
    if (value === undefined || value === null) return;
    form[name] = Array.isArray(value) ? value.join(', ') : String(value);
  });
  var checked = validateSettings_(form);
  if (!checked.ok) {
    Object.keys(checked.errors).forEach(function (name) {
      form[name] = defaults[name];
    });
    checked = validateSettings_(form);
  }
  var settings = checked.settings || defaultSettings_();
  settings.timeZone = typeof stored.timeZone === 'string' ? stored.timeZone : '';
  settings.scheduleOwner = typeof stored.scheduleOwner === 'string' ? stored.scheduleOwner : '';
  return settings;
}

/**
 * The record kept under SETTINGS_KEY.
 * @param {Settings} settings
 */
function settingsRecord_(settings) {
  return {
    backendUrl: settings.backendUrl,
    authMode: settings.authMode,
    planTab: settings.planTab,
    bookingsTab: settings.bookingsTab,
    summaryTab: settings.summaryTab,
    fiscalYearStartMonth: settings.fiscalYearStartMonth,
    comparison: settings.comparison,
    groupBy: settings.groupBy,
    schedule: settings.schedule,
    scheduleHour: settings.scheduleHour,
    timeZone: settings.timeZone,
    scheduleOwner: settings.scheduleOwner,
  };
}

/**
 * Settings as the form shows them (every value a string).
 * @param {Settings} settings
 * @returns {Object<string, string>}
 */
function settingsAsForm_(settings) {
  return {
    backendUrl: settings.backendUrl,
    authMode: settings.authMode,
    planTab: settings.planTab,
    bookingsTab: settings.bookingsTab,
    summaryTab: settings.summaryTab,
    fiscalYearStartMonth: String(settings.fiscalYearStartMonth),
    comparison: settings.comparison,
    groupBy: settings.groupBy.join(', '),
    schedule: settings.schedule,
    scheduleHour: String(settings.scheduleHour),
  };
}

/**
 * What Settings.html needs to fill its form, and what it shows beside the schedule.
 * @returns {{values: Object<string, string>, defaults: Object<string, string>,
 *   schedule: {owner: string, me: string, timeZone: string, last: any}}}
 */
function getSettingsForm() {
  var settings = getSettings();
  return {
    values: settingsAsForm_(settings),
    defaults: settingsAsForm_(defaultSettings_()),
    schedule: scheduleStatus_(settings),
  };
}

/**
 * Validates and saves the settings form (all fields or some), and installs or removes
 * the schedule's trigger to match. Called by Settings.html.
 * @param {Object<string, any>} form
 * @returns {{ok: boolean, errors: Object<string, string>, settings?: Settings}}
 */
function saveSettings(form) {
  var properties = PropertiesService.getDocumentProperties();
  var current = readSettings_(properties);
  // Fields the form leaves out keep their current value.
  var merged = Object.assign(settingsAsForm_(current), form || {});
  var checked = validateSettings_(merged);
  if (!checked.ok) return { ok: false, errors: checked.errors };
  var settings = /** @type {Settings} */ (checked.settings);

  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  settings.timeZone = spreadsheet.getSpreadsheetTimeZone() || current.timeZone || 'Etc/UTC';
  settings.scheduleOwner = settings.schedule === 'OFF' ? '' : effectiveEmail_();
  var installed = installSchedule_(spreadsheet, settings);
  if (!installed.ok) return { ok: false, errors: { schedule: installed.message } };

  properties.setProperty(SETTINGS_KEY, JSON.stringify(settingsRecord_(settings)));
  SETTING_NAMES.forEach(function (name) {
    properties.deleteProperty(SETTINGS_PREFIX + name);
  });
  rememberSchedule_(spreadsheet.getId(), installed.triggerUid, settings);
  return { ok: true, errors: {}, settings: settings };
}

/**
 * @param {Object<string, any>} form
 * @returns {{ok: boolean, errors: Object<string, string>, settings: Settings | null}}
 */
function validateSettings_(form) {
  /** @type {Object<string, string>} */
  var errors = {};
  var text = function (/** @type {string} */ name) {
    var value = form[name];
    return value === undefined || value === null ? '' : String(value).trim();
  };

  var backend = normaliseBackendUrl_(text('backendUrl'));
  if (backend.error) errors.backendUrl = backend.error;

  var authMode = text('authMode').toUpperCase() || 'USER';
  if (AUTH_MODES.indexOf(authMode) < 0) {
    errors.authMode = 'Choose "Your Google account" or "The backend\'s service account".';
  }

  /** @type {Object<string, string>} */
  var tabs = {};
  [
    ['planTab', 'Plan'],
    ['bookingsTab', 'Bookings'],
    ['summaryTab', 'Summary'],
  ].forEach(function (pair) {
    var value = text(pair[0]);
    if (!value) errors[pair[0]] = 'Give the name of the ' + pair[1] + ' tab.';
    else if (value.length > 100) errors[pair[0]] = 'A tab name has at most 100 characters.';
    tabs[pair[0]] = value;
  });
  var summaryKey = tabs.summaryTab.toLowerCase();
  if (
    !errors.summaryTab &&
    (summaryKey === tabs.planTab.toLowerCase() || summaryKey === tabs.bookingsTab.toLowerCase())
  ) {
    errors.summaryTab =
      'The Summary tab is overwritten at every run: it must not be the Plan or Bookings tab.';
  }

  var monthText = text('fiscalYearStartMonth') || '1';
  var month = Number(monthText);
  if (!/^\d{1,2}$/.test(monthText) || month < 1 || month > 12) {
    errors.fiscalYearStartMonth = 'Give the month the fiscal year starts in, 1 (January) to 12.';
  }

  var comparison = text('comparison').toUpperCase() || 'PRIOR_QUARTER';
  if (COMPARISONS.indexOf(comparison) < 0) {
    errors.comparison = 'Choose "Previous quarter" or "Same quarter last year".';
  }

  var rawGroups = form.groupBy;
  /** @type {string[]} */
  var groupBy = (Array.isArray(rawGroups) ? rawGroups : text('groupBy').split(','))
    .map(function (/** @type {any} */ g) {
      return String(g).trim();
    })
    .filter(function (/** @type {string} */ g) {
      return g !== '';
    });
  /** @type {Object<string, boolean>} */
  var seen = {};
  groupBy.forEach(function (g) {
    var key = g.toLowerCase();
    if (seen[key]) errors.groupBy = 'Column "' + g + '" is listed twice.';
    if (g.length > 100) errors.groupBy = 'A column name has at most 100 characters.';
    seen[key] = true;
  });
  if (groupBy.length > 10) errors.groupBy = 'Group by at most 10 columns.';

  var schedule = text('schedule').toUpperCase() || 'OFF';
  if (SCHEDULE_KINDS.indexOf(schedule) < 0) {
    errors.schedule = 'Choose Off, Every hour, Every day, Every week or Quarter close.';
  }
  var hourText = text('scheduleHour') || String(SCHEDULE_DEFAULT_HOUR);
  var hour = Number(hourText);
  if (!/^\d{1,2}$/.test(hourText) || hour > 23) {
    errors.scheduleHour = 'Give the hour of the day, 0 to 23.';
  }
  if (schedule !== 'OFF' && !backend.url && !errors.backendUrl) {
    errors.backendUrl = 'A schedule needs the backend address.';
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors: errors, settings: null };
  return {
    ok: true,
    errors: {},
    settings: {
      backendUrl: backend.url,
      authMode: authMode,
      planTab: tabs.planTab,
      bookingsTab: tabs.bookingsTab,
      summaryTab: tabs.summaryTab,
      fiscalYearStartMonth: month,
      comparison: comparison,
      groupBy: groupBy,
      schedule: schedule,
      scheduleHour: hour,
      timeZone: '',
      scheduleOwner: '',
    },
  };
}

/**
 * The backend's GraphQL address: https (plain http only on this machine, for local
 * tests), no user or password, "/graphql" added when the path is empty.
 * @param {string} raw
 * @returns {{url: string, error: string}}
 */
function normaliseBackendUrl_(raw) {
  if (!raw) return { url: '', error: '' }; // not configured yet; Classify asks for it
  var match = /^(https?):\/\/([^\/?#@\s]+)(\/[^?#\s]*)?(\?[^#\s]*)?$/i.exec(raw);
  if (!match) {
    return {
      url: raw,
      error: 'Give the full address, e.g. https://sales-verdicts.example.com/graphql',
    };
  }
  var scheme = match[1].toLowerCase();
  var host = match[2].toLowerCase();
  var hostname = host.replace(/:\d+$/, '');
  var local = hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
  if (scheme !== 'https' && !local) {
    return { url: raw, error: 'The address must start with https:// (Apps Script only calls https).' };
  }
  if (!local && hostname.indexOf('.') < 0) {
    return { url: raw, error: 'Give the full domain name, e.g. sales-verdicts.example.com' };
  }
  var path = match[3] || '';
  if (path === '' || path === '/') path = '/graphql';
  return { url: scheme + '://' + host + path + (match[4] || ''), error: '' };
}

/**
 * The ClassifyOptions input of the GraphQL API.
 * @param {Settings} settings
 */
function classifyOptions_(settings) {
  return {
    planTab: settings.planTab,
    bookingsTab: settings.bookingsTab,
    summaryTab: settings.summaryTab,
    fiscalYearStartMonth: settings.fiscalYearStartMonth,
    comparison: settings.comparison,
    groupBy: settings.groupBy.length > 0 ? settings.groupBy : null,
  };
}

/** The e-mail of the account this execution runs as ('' when Google does not say). */
function effectiveEmail_() {
  try {
    return Session.getEffectiveUser().getEmail() || '';
  } catch (err) {
    return '';
  }
}

// ---------------------------------------------------------------------------
// Menu actions

/**
 * Extensions › Sales Verdicts › Classify quarter: classifies the latest quarter that has
 * ended (the sidebar's quarter list picks another one). The backend answers within
 * RUN_WAIT_SECONDS; a run still going then carries on there, and the sidebar opens to
 * follow it.
 */
function classifyQuarterFromMenu() {
  var ui = SpreadsheetApp.getUi();
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var settings = getSettings();
  if (!settings.backendUrl) {
    ui.alert(ADDON_TITLE, MESSAGES_.notConfigured(), ui.ButtonSet.OK);
    return;
  }
  var interrupted = takeInterruptedRun_(spreadsheet.getId());
  if (interrupted) ui.alert(ADDON_TITLE, interrupted, ui.ButtonSet.OK);

  spreadsheet.toast(
    'Reading ' + settings.planTab + ' and ' + settings.bookingsTab + '…',
    ADDON_TITLE,
    -1
  );
  var started = Date.now();
  var outcome = classify_(spreadsheet.getId(), null, settings, 'MENU', RUN_WAIT_SECONDS);
  if (!outcome.ok) {
    spreadsheet.toast('Not classified.', ADDON_TITLE, 3);
    ui.alert(ADDON_TITLE, outcome.message, ui.ButtonSet.OK);
    return;
  }
  var run = outcome.data.classifyQuarter;
  if (run.status === 'RUNNING') {
    spreadsheet.toast(MESSAGES_.stillWorking(run), ADDON_TITLE, 10);
    showVerdicts(); // the sidebar finds the run going and follows it
    return;
  }
  if (run.status === 'FAILED') {
    spreadsheet.toast('Not classified.', ADDON_TITLE, 3);
    ui.alert(ADDON_TITLE, MESSAGES_.runFailed(run.error), ui.ButtonSet.OK);
    return;
  }
  var summary = spreadsheet.getSheetByName(run.summaryTab);
  if (summary) spreadsheet.setActiveSheet(summary);
  var message = toastMessage_(run);
  var elapsed = Date.now() - started;
  if (elapsed >= SLOW_CALL_MS) message += '\n' + MESSAGES_.slow(elapsed);
  spreadsheet.toast(message, ADDON_TITLE, 15);
}

/**
 * Starts one classification through the backend and waits at most `wait` seconds for it.
 * @param {string} spreadsheetId
 * @param {string | null} quarter
 * @param {Settings} settings
 * @param {string} trigger what started it: MENU (a person) or SCHEDULE
 * @param {number} wait
 * @returns {BackendOutcome}
 */
function classify_(spreadsheetId, quarter, settings, trigger, wait) {
  var marker = inFlightKey_(spreadsheetId);
  var userProperties = PropertiesService.getUserProperties();
  userProperties.setProperty(marker, JSON.stringify({ startedAt: Date.now(), quarter: quarter }));
  try {
    return callBackend_(
      settings,
      CLASSIFY_DOCUMENT,
      {
        spreadsheetId: spreadsheetId,
        quarter: quarter,
        options: classifyOptions_(settings),
        wait: wait,
        trigger: trigger,
      },
      'AddonClassifyQuarter'
    );
  } finally {
    userProperties.deleteProperty(marker);
  }
}

/** @param {string} spreadsheetId */
function inFlightKey_(spreadsheetId) {
  return SETTINGS_PREFIX + 'inFlight.' + spreadsheetId;
}

/**
 * If the last Classify quarter in this spreadsheet never finished (Apps Script stopped
 * it at its 6-minute limit), the sentence that says so; the marker is removed.
 * @param {string} spreadsheetId
 * @returns {string}
 */
function takeInterruptedRun_(spreadsheetId) {
  var userProperties = PropertiesService.getUserProperties();
  var key = inFlightKey_(spreadsheetId);
  var raw = userProperties.getProperty(key);
  if (!raw) return '';
  var startedAt = 0;
  try {
    startedAt = Number(JSON.parse(raw).startedAt) || 0;
  } catch (err) {
    startedAt = 0;
  }
  if (Date.now() - startedAt < EXECUTION_LIMIT_MS) return ''; // still running elsewhere
  userProperties.deleteProperty(key);
  return MESSAGES_.interrupted(new Date(startedAt));
}

/**
 * "Total 2025-Q4: Hard Miss — consecutive hard miss", plus a line about rejected rows.
 * @param {{quarter: string, current: Array<{group: string|null, verdict: string, flags: string[]}>, issues: Array<{severity: string}>}} run
 */
function toastMessage_(run) {
  var total = run.current.filter(function (v) {
    return v.group === null;
  })[0];
  var headline;
  if (!total) {
    headline = run.quarter + ' classified: no group has a verdict for it yet.';
  } else {
    headline = 'Total ' + run.quarter + ': ' + verdictLabel_(total.verdict);
    if (total.flags.length > 0) headline += ' — ' + total.flags.map(flagLabel_).join(', ');
  }
  var rejected = run.issues.filter(function (i) {
    return i.severity !== 'INFO';
  }).length;
  if (rejected > 0) {
    headline +=
      '\n' +
      rejected +
      (rejected === 1 ? ' input row was' : ' input rows were') +
      ' rejected: Show verdicts lists ' +
      (rejected === 1 ? 'it.' : 'them.');
  }
  return headline;
}

/** @param {string} verdict */
function verdictLabel_(verdict) {
  return VERDICT_LABELS[verdict] || verdict;
}

/** @param {string} flag */
function flagLabel_(flag) {
  return FLAG_LABELS[flag] || flag.toLowerCase().replace(/_/g, ' ');
}

/** Extensions › Sales Verdicts › Show verdicts: the sidebar. */
function showVerdicts() {
  var html = HtmlService.createHtmlOutputFromFile('Sidebar').setTitle(ADDON_TITLE);
  SpreadsheetApp.getUi().showSidebar(html);
}

/** Extensions › Sales Verdicts › Settings: the settings dialog. */
function showSettings() {
  var html = HtmlService.createHtmlOutputFromFile('Settings').setWidth(480).setHeight(680);
  SpreadsheetApp.getUi().showModalDialog(html, 'Sales Verdicts settings');
}

// ---------------------------------------------------------------------------
// The backend call

/**
 * What a backend call came to: the answer's data, or a sentence for the user (with the
 * error's code, and the data issues a refused run carries, when the backend sent them).
 * @typedef {{ok: true, data: any} | {ok: false, message: string, code?: string, detail?: string, issues?: any[]}} BackendOutcome
 */

/**
 * POSTs one GraphQL document; every failure becomes a sentence for the user.
 * @param {Settings} settings
 * @param {string} query
 * @param {Object<string, any>} variables
 * @param {string} operationName
 * @returns {BackendOutcome}
 */
function callBackend_(settings, query, variables, operationName) {
  var token;
  try {
    token =
      settings.authMode === 'SERVICE_ACCOUNT'
        ? ScriptApp.getIdentityToken()
        : ScriptApp.getOAuthToken();
  } catch (err) {
    token = '';
  }
  if (!token) return { ok: false, message: MESSAGES_.noToken(settings) };

  /** @type {GoogleAppsScript.URL_Fetch.URLFetchRequestOptions} */
  var request = {
    method: 'post',
    contentType: 'application/json',
    headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
    payload: JSON.stringify({ query: query, variables: variables, operationName: operationName }),
    muteHttpExceptions: true,
    followRedirects: false,
  };
  var started = Date.now();
  var response;
  try {
    response = UrlFetchApp.fetch(settings.backendUrl, request);
  } catch (err) {
    var text = err && /** @type {any} */ (err).message ? String(/** @type {any} */ (err).message) : String(err);
    console.warn('Sales Verdicts: the backend call failed after ' + (Date.now() - started) + ' ms: ' + redact_(text, token));
    return { ok: false, message: explainFetchException_(text, settings, Date.now() - started) };
  }

  var status = response.getResponseCode();
  var body = response.getContentText();
  /** @type {any} */
  var answer = null;
  try {
    answer = JSON.parse(body);
  } catch (err) {
    answer = null;
  }
  var errors = answer && Array.isArray(answer.errors) ? answer.errors : [];
  if (errors.length > 0) {
    console.warn('Sales Verdicts: GraphQL error ' + JSON.stringify(errors[0].extensions || {}) + ': ' + redact_(String(errors[0].message), token));
    var extensions = errors[0].extensions || {};
    /** @type {BackendOutcome} */
    var failed = {
      ok: false,
      message: explainGraphQLError_(errors[0], settings),
      code: String(extensions.code || ''),
      detail: String(errors[0].message || ''),
    };
    if (Array.isArray(extensions.issues)) failed.issues = extensions.issues.slice(0, 50);
    return failed;
  }
  if (status !== 200) {
    console.warn('Sales Verdicts: the backend answered HTTP ' + status);
    return { ok: false, message: explainHttpStatus_(status, settings) };
  }
  if (!answer || typeof answer !== 'object' || !answer.data) {
    return { ok: false, message: MESSAGES_.notGraphQL(settings) };
  }
  return { ok: true, data: answer.data };
}

/**
 * @param {string} text
 * @param {string} token
 */
function redact_(text, token) {
  return token ? text.split(token).join('[token]') : text;
}

/**
 * @param {{message?: string, extensions?: {code?: string, reason?: string, requestId?: string}}} error
 * @param {Settings} settings
 */
function explainGraphQLError_(error, settings) {
  var code = (error.extensions && error.extensions.code) || '';
  var detail = String(error.message || '').trim();
  if (error.extensions && error.extensions.reason === 'INVALID_QUERY') {
    code = ''; // the backend could not parse or validate the add-on's own document
  }
  switch (code) {
    case 'UNAUTHENTICATED':
      return MESSAGES_.unauthenticated(settings, detail);
    case 'FORBIDDEN':
      return MESSAGES_.forbidden(settings, detail);
    case 'NOT_FOUND':
      return MESSAGES_.notFound(settings, detail);
    case 'BAD_INPUT':
      return MESSAGES_.badInput(detail);
    case 'RATE_LIMITED':
      return MESSAGES_.rateLimited(detail);
    case 'UPSTREAM_UNAVAILABLE':
      return MESSAGES_.upstreamUnavailable(detail);
    case 'INTERNAL':
      return MESSAGES_.internal((error.extensions && error.extensions.requestId) || '');
    case '':
      return MESSAGES_.invalidRequest(detail);
    default:
      return MESSAGES_.unknownCode(code, detail);
  }
}

/**
 * @param {number} status
 * @param {Settings} settings
 */
function explainHttpStatus_(status, settings) {
  if (status >= 300 && status < 400) return MESSAGES_.redirected(status, settings);
  if (status === 401 || status === 403) return MESSAGES_.gatewayRefused(status, settings);
  if (status === 404 || status === 405) return MESSAGES_.wrongPath(status, settings);
  if (status === 413) return MESSAGES_.tooLarge();
  if (status === 429) return MESSAGES_.backendBusy();
  if (status >= 500) return MESSAGES_.backendDown(status);
  return MESSAGES_.unexpectedStatus(status, settings);
}

/**
 * UrlFetchApp throws, even with muteHttpExceptions, when no HTTP answer came back.
 * @param {string} text the exception's message, e.g. "DNS error: https://…"
 * @param {Settings} settings
 * @param {number} elapsedMs
 */
function explainFetchException_(text, settings, elapsedMs) {
  if (/DNS error/i.test(text)) return MESSAGES_.dns(settings);
  if (/timeout|timed out|deadline/i.test(text)) return MESSAGES_.timeout(settings, elapsedMs);
  if (/too many times|quota|bandwidth/i.test(text)) return MESSAGES_.urlFetchQuota();
  if (/whitelist|allowlist|not allowed|not permitted|permission/i.test(text)) {
    return MESSAGES_.notAllowlisted(settings);
  }
  if (/ssl|certificate|tls/i.test(text)) return MESSAGES_.tls(settings);
  if (/invalid argument|malformed/i.test(text)) return MESSAGES_.badAddress(settings);
  return MESSAGES_.unreachable(settings);
}

/** @param {Settings} settings */
function hostOf_(settings) {
  var match = /^https?:\/\/([^\/?#]+)/i.exec(settings.backendUrl);
  return match ? match[1] : settings.backendUrl;
}

/**
 * Every sentence the add-on can show, in one place (docs/addon.md explains each).
 * Each says what happened and what to do.
 */
var MESSAGES_ = {
  notConfigured: function () {
    return (
      'Sales Verdicts does not know where its backend is yet. ' +
      'Open Extensions › Sales Verdicts › Settings and enter the backend address ' +
      '(ask whoever set up Sales Verdicts for it).'
    );
  },
  notAQuarter: function () {
    return 'That is not a quarter of this spreadsheet. Pick one from the list, or Refresh the list.';
  },
  /** @param {{quarter?: string, quarterLabel?: string}} run */
  stillWorking: function (run) {
    var which = run.quarterLabel || run.quarter || 'the quarter';
    return (
      'Still classifying ' +
      which +
      ': a large sheet or a busy Google can take a few minutes. The run carries on in the ' +
      'backend; the sidebar shows its progress and result.'
    );
  },
  /** @param {string | null | undefined} error "CODE: message" */
  runFailed: function (error) {
    var text = String(error || '').trim();
    var match = /^([A-Z_]+):\s*([\s\S]*)$/.exec(text);
    var code = match ? match[1] : '';
    var detail = match ? match[2] : text;
    var advice = {
      BAD_INPUT: 'Fix what is named above in the tabs, then classify again.',
      UPSTREAM_UNAVAILABLE: 'Google or the backend\'s database did not answer in time; classify again in a minute.',
      RATE_LIMITED: 'Google is limiting how often the sheet can be read; classify again in a minute.',
      INTERRUPTED: 'The backend restarted while the run was going; classify again.',
      FORBIDDEN: 'Check that you (or the backend\'s service account) can still edit the spreadsheet.',
      NOT_FOUND: 'Check the tab names in Settings.',
    }[code] || 'Classify again; if it keeps failing, tell whoever runs the backend.';
    return 'The run failed' + (detail ? ': ' + detail : '.') + '\n' + advice;
  },
  /** @param {number} minutes */
  pollGaveUp: function (minutes) {
    return (
      'The run is still going after ' +
      minutes +
      ' minutes, so the sidebar stopped checking. It carries on in the backend: ' +
      'press Refresh later, or look in History.'
    );
  },
  runGone: function () {
    return 'The backend no longer has that run (old runs are pruned). Refresh shows the latest one.';
  },
  /** @param {string} tab */
  noSuchTab: function (tab) {
    return 'There is no tab named "' + tab + '" any more: it was renamed or deleted since the run.';
  },
  /** @param {string} tab @param {number} row */
  cellOutside: function (tab, row) {
    return 'Row ' + row + ' is outside the tab "' + tab + '" now: rows were deleted since the run.';
  },
  /** @param {string} detail */
  scheduleNotSet: function (detail) {
    return (
      'The schedule could not be set: Google refused to create its trigger' +
      (detail ? ' (' + detail + ')' : '') +
      '. Reload the spreadsheet, authorize Sales Verdicts again if asked, and save again.'
    );
  },
  noAlertEvents: function () {
    return 'Choose at least one event to be alerted about, or remove the webhook.';
  },
  webhookNeeded: function () {
    return (
      'Paste the webhook address. The backend keeps it as a secret and only shows it back ' +
      'masked, so it is asked for each time you save the alerts.'
    );
  },
  webhookTooLong: function () {
    return 'That address is too long for a webhook (at most 2,048 characters).';
  },
  webhookShape: function () {
    return (
      'Paste the whole incoming-webhook address from Slack (https://hooks.slack.com/services/…) ' +
      'or Google Chat (https://chat.googleapis.com/v1/spaces/…).'
    );
  },
  /** @param {Date} startedAt */
  interrupted: function (startedAt) {
    return (
      'Your previous Classify quarter here (started ' +
      startedAt.toISOString().replace('T', ' ').slice(0, 16) +
      ' UTC) was stopped by Apps Script before the backend answered: ' +
      'an add-on may run for at most 6 minutes. The backend may still have finished it — ' +
      'Show verdicts displays the latest run. If it keeps happening, the sheet is too large ' +
      'to classify from the menu; ask whoever runs the backend to classify it from the command line.'
    );
  },
  /** @param {number} elapsedMs */
  slow: function (elapsedMs) {
    return (
      'That took ' +
      Math.round(elapsedMs / 1000) +
      ' s. Apps Script waits about a minute for the backend; if the sheet grows, ' +
      'classifying may stop working from the menu.'
    );
  },
  /** @param {Settings} settings */
  noToken: function (settings) {
    return settings.authMode === 'SERVICE_ACCOUNT'
      ? 'Google did not give the add-on an identity token to show the backend. ' +
          'Reload the spreadsheet and authorize Sales Verdicts again when asked ' +
          '(it needs to see your e-mail address in service-account mode).'
      : 'Google did not give the add-on a sign-in token. Reload the spreadsheet and ' +
          'authorize Sales Verdicts again when asked.';
  },
  /** @param {Settings} settings @param {string} detail */
  unauthenticated: function (settings, detail) {
    return settings.authMode === 'SERVICE_ACCOUNT'
      ? 'The backend could not verify who you are. Reload the spreadsheet and try again. ' +
          'If it keeps happening, check Settings › Sign-in: the backend may be in user mode, ' +
          'or not configured for this add-on (its audience must be the add-on\'s OAuth client id).' +
          detailLine_(detail)
      : 'The backend could not sign in to Google Sheets as you: your sign-in has expired or ' +
          'was refused. Reload the spreadsheet, authorize Sales Verdicts again if asked, and ' +
          'try again. If the backend runs in service-account mode, choose that in Settings › Sign-in.' +
          detailLine_(detail);
  },
  /** @param {Settings} settings @param {string} detail */
  forbidden: function (settings, detail) {
    return settings.authMode === 'SERVICE_ACCOUNT'
      ? 'The backend refused: either your account\'s domain may not use it, or its service ' +
          'account cannot edit this spreadsheet. Share the spreadsheet with the service account ' +
          '(as an editor), or ask whoever runs the backend to allow your domain.' +
          detailLine_(detail)
      : 'Google Sheets refused access to this spreadsheet for your account. You need edit ' +
          'access (Sales Verdicts writes the Summary tab): ask the owner to share it with you ' +
          'as an editor.' +
          detailLine_(detail);
  },
  /** @param {Settings} settings @param {string} detail */
  notFound: function (settings, detail) {
    if (/\btab\b/i.test(detail)) {
      return (
        'A tab Sales Verdicts reads was not found' +
        (detail ? ': ' + detail : '.') +
        '\nCheck the tab names in Extensions › Sales Verdicts › Settings (now: Plan "' +
        settings.planTab +
        '", Bookings "' +
        settings.bookingsTab +
        '") against the tabs of this spreadsheet.'
      );
    }
    return (
      'The backend cannot find this spreadsheet. ' +
      (settings.authMode === 'SERVICE_ACCOUNT'
        ? 'Share it with the backend\'s service account as an editor, then try again.'
        : 'It may have been moved to a place the backend cannot reach; tell whoever runs the backend.') +
      detailLine_(detail)
    );
  },
  /** @param {string} detail */
  badInput: function (detail) {
    return (
      'The spreadsheet cannot be classified as it is' +
      (detail ? ': ' + detail : '.') +
      '\nFix what is named above (or pick another quarter) and classify again.'
    );
  },
  /** @param {string} detail */
  rateLimited: function (detail) {
    return (
      'Google Sheets is limiting how often this spreadsheet can be read right now ' +
      '(too many requests in the last minute). Wait a minute, then run Classify quarter again.' +
      detailLine_(detail)
    );
  },
  /** @param {string} detail */
  upstreamUnavailable: function (detail) {
    return (
      'A service the backend depends on (Google Sheets, or the backend\'s own database) ' +
      'did not answer in time. This is usually temporary: wait a minute, then try again.' +
      detailLine_(detail)
    );
  },
  /** @param {string} requestId */
  internal: function (requestId) {
    return (
      'The backend hit an unexpected error' +
      (requestId ? ' (request ' + requestId + ')' : '') +
      '. Try again; if it happens again, send ' +
      (requestId ? 'this request id' : 'the time of the error') +
      ' to whoever runs the backend.'
    );
  },
  /** @param {string} detail */
  invalidRequest: function (detail) {
    return (
      'The backend did not accept the add-on\'s request, so the add-on and the backend ' +
      'are probably different versions. Ask whoever runs Sales Verdicts to update the ' +
      'add-on or the backend.' +
      detailLine_(detail)
    );
  },
  /** @param {string} code @param {string} detail */
  unknownCode: function (code, detail) {
    return 'The backend refused the request (' + code + ').' + detailLine_(detail);
  },
  /** @param {number} status @param {Settings} settings */
  redirected: function (status, settings) {
    return (
      'The backend address ' +
      settings.backendUrl +
      ' answered with a redirect (HTTP ' +
      status +
      '). Enter the final address, usually starting with https:// and ending in /graphql, ' +
      'in Extensions › Sales Verdicts › Settings.'
    );
  },
  /** @param {number} status @param {Settings} settings */
  gatewayRefused: function (status, settings) {
    return (
      'The server at ' +
      hostOf_(settings) +
      ' refused the add-on (HTTP ' +
      status +
      ') before the backend saw the request. If the backend sits behind a login ' +
      'or firewall, ask whoever runs it to let Apps Script through.'
    );
  },
  /** @param {number} status @param {Settings} settings */
  wrongPath: function (status, settings) {
    return (
      'There is no Sales Verdicts backend at ' +
      settings.backendUrl +
      ' (HTTP ' +
      status +
      '). Check the address in Extensions › Sales Verdicts › Settings: it usually ends in /graphql.'
    );
  },
  tooLarge: function () {
    return 'The request was too large for the backend (HTTP 413). Shorten the group columns in Settings.';
  },
  backendBusy: function () {
    return 'The backend is busy (HTTP 429). Wait a minute, then try again.';
  },
  /** @param {number} status */
  backendDown: function (status) {
    return (
      'The backend is not working right now (HTTP ' +
      status +
      '). Try again in a few minutes; if it lasts, tell whoever runs the backend.'
    );
  },
  /** @param {number} status @param {Settings} settings */
  unexpectedStatus: function (status, settings) {
    return (
      'The backend at ' +
      hostOf_(settings) +
      ' gave an unexpected answer (HTTP ' +
      status +
      '). Check the address in Extensions › Sales Verdicts › Settings.'
    );
  },
  /** @param {Settings} settings */
  notGraphQL: function (settings) {
    return (
      'The address ' +
      settings.backendUrl +
      ' answered, but not like a Sales Verdicts backend. Check the address in ' +
      'Extensions › Sales Verdicts › Settings: it usually ends in /graphql.'
    );
  },
  /** @param {Settings} settings */
  dns: function (settings) {
    return (
      'The backend address ' +
      hostOf_(settings) +
      ' does not exist (no such domain). Check the spelling in Extensions › Sales Verdicts › Settings.'
    );
  },
  /** @param {Settings} settings @param {number} elapsedMs */
  timeout: function (settings, elapsedMs) {
    return (
      'The backend at ' +
      hostOf_(settings) +
      ' did not answer within ' +
      Math.max(1, Math.round(elapsedMs / 1000)) +
      ' s, and Apps Script stopped waiting. A large sheet may simply take longer: ' +
      'the backend may still finish, so open Show verdicts in a minute to see the latest run. ' +
      'If the backend is down, tell whoever runs it.'
    );
  },
  urlFetchQuota: function () {
    return (
      'Your Google account has used up today\'s Apps Script quota for calls to other ' +
      'services (URL Fetch). Try again tomorrow, or ask a colleague to run it.'
    );
  },
  /** @param {Settings} settings */
  notAllowlisted: function (settings) {
    return (
      'This copy of the add-on is not allowed to call ' +
      settings.backendUrl +
      '. Whoever deployed it must add the address to urlFetchWhitelist in appsscript.json ' +
      'and push the add-on again (or use the address that is already listed).'
    );
  },
  /** @param {Settings} settings */
  tls: function (settings) {
    return (
      'The backend at ' +
      hostOf_(settings) +
      ' has no valid https certificate, so the add-on will not send it your data. ' +
      'Tell whoever runs the backend.'
    );
  },
  /** @param {Settings} settings */
  badAddress: function (settings) {
    return (
      'The backend address "' +
      settings.backendUrl +
      '" is not a valid web address. Correct it in Extensions › Sales Verdicts › Settings.'
    );
  },
  /** @param {Settings} settings */
  unreachable: function (settings) {
    return (
      'The backend at ' +
      hostOf_(settings) +
      ' cannot be reached: it may be down or restarting. Try again in a few minutes; ' +
      'if it lasts, check the address in Extensions › Sales Verdicts › Settings or tell ' +
      'whoever runs the backend.'
    );
  },
};

/** @param {string} detail */
function detailLine_(detail) {
  return detail ? '\n(The backend said: ' + detail + ')' : '';
}
