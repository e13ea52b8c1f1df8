/**
 * Alerts: a Slack or Google Chat incoming webhook per spreadsheet, kept by the backend
 * (setAlerts / alerts), which posts to it after the runs the chosen events pick out.
 * Called by Settings.html.
 *
 * The webhook's URL is its secret: the backend only ever shows it back masked, so neither
 * the form nor the add-on ever holds the saved one. setAlerts sets the URL and the events
 * together (a URL left out removes the webhook, as null does), so saving asks for the URL
 * every time; removing sends webhookUrl null and keeps the events. The add-on never logs
 * the URL.
 */

var ALERT_EVENTS = ['NEW_HARD_MISS', 'FLAG_RAISED', 'RUN_FAILED', 'EVERY_RUN'];
var DEFAULT_ALERT_EVENTS = ['NEW_HARD_MISS', 'RUN_FAILED'];

var ALERTS_DOCUMENT = `
query AddonAlerts($spreadsheetId: ID!) {
  alerts(spreadsheetId: $spreadsheetId) {
    spreadsheetId
    webhookUrl
    on
  }
}
`;

var SET_ALERTS_DOCUMENT = `
mutation AddonSetAlerts($spreadsheetId: ID!, $webhookUrl: String, $on: [AlertOn!]!) {
  setAlerts(spreadsheetId: $spreadsheetId, webhookUrl: $webhookUrl, on: $on) {
    spreadsheetId
    webhookUrl
    on
  }
}
`;

/**
 * @typedef {{webhookUrl: string | null, on: string[]}} AlertsView
 */

/**
 * This spreadsheet's alerts as the backend keeps them (the URL masked), or the defaults.
 * @returns {{ok: true, alerts: AlertsView} | {ok: false, message: string}}
 */
function getAlerts() {
  var settings = getSettings();
  if (!settings.backendUrl) return { ok: false, message: MESSAGES_.notConfigured() };
  var spreadsheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
  var outcome = callBackend_(settings, ALERTS_DOCUMENT, { spreadsheetId: spreadsheetId }, 'AddonAlerts');
  if (!outcome.ok) return { ok: false, message: outcome.message };
  return { ok: true, alerts: alertsView_(outcome.data.alerts) };
}

/**
 * Saves the alerts form: {webhookUrl, on: the events to post for}.
 * @param {{webhookUrl?: string, on?: string[]}} form
 * @returns {{ok: true, alerts: AlertsView} | {ok: false, errors?: Object<string, string>, message?: string}}
 */
function saveAlerts(form) {
  var settings = getSettings();
  if (!settings.backendUrl) return { ok: false, message: MESSAGES_.notConfigured() };
  var input = form || {};
  /** @type {Object<string, string>} */
  var errors = {};
  var url = String(input.webhookUrl === undefined || input.webhookUrl === null ? '' : input.webhookUrl).trim();
  var problem = url ? webhookUrlProblem_(url) : MESSAGES_.webhookNeeded();
  if (problem) errors.webhookUrl = problem;
  var on = Array.isArray(input.on) ? input.on.map(String) : [];
  var unknown = on.filter(function (event) {
    return ALERT_EVENTS.indexOf(event) < 0;
  });
  if (unknown.length > 0) errors.on = 'Unknown event: ' + unknown[0].slice(0, 40) + '.';
  else if (on.length === 0) errors.on = MESSAGES_.noAlertEvents();
  if (Object.keys(errors).length > 0) return { ok: false, errors: errors };

  var spreadsheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
  /** @type {Object<string, any>} */
  var variables = {
    spreadsheetId: spreadsheetId,
    webhookUrl: url,
    on: ALERT_EVENTS.filter(function (e) {
      return on.indexOf(e) >= 0;
    }),
  };
  var outcome = callBackend_(settings, SET_ALERTS_DOCUMENT, variables, 'AddonSetAlerts');
  if (!outcome.ok) {
    // The backend refuses a URL off its allow-list with BAD_INPUT naming the host.
    if (outcome.code === 'BAD_INPUT') {
      return { ok: false, errors: { webhookUrl: outcome.detail || outcome.message } };
    }
    return { ok: false, message: outcome.message };
  }
  return { ok: true, alerts: alertsView_(outcome.data.setAlerts) };
}

/**
 * Removes the webhook (the chosen events are kept, as the backend does).
 * @returns {{ok: true, alerts: AlertsView} | {ok: false, message: string}}
 */
function removeAlertsWebhook() {
  var settings = getSettings();
  if (!settings.backendUrl) return { ok: false, message: MESSAGES_.notConfigured() };
  var current = getAlerts();
  var on = current.ok ? current.alerts.on : DEFAULT_ALERT_EVENTS;
  var spreadsheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
  var outcome = callBackend_(
    settings,
    SET_ALERTS_DOCUMENT,
    { spreadsheetId: spreadsheetId, webhookUrl: null, on: on.length > 0 ? on : DEFAULT_ALERT_EVENTS },
    'AddonSetAlerts'
  );
  if (!outcome.ok) return { ok: false, message: outcome.message };
  return { ok: true, alerts: alertsView_(outcome.data.setAlerts) };
}

/**
 * @param {any} alerts the backend's AlertSettings, or null
 * @returns {AlertsView}
 */
function alertsView_(alerts) {
  if (!alerts) return { webhookUrl: null, on: DEFAULT_ALERT_EVENTS.slice() };
  return { webhookUrl: alerts.webhookUrl || null, on: Array.isArray(alerts.on) ? alerts.on : [] };
}

/**
 * What is wrong with a webhook URL, as far as the add-on can tell ('' when nothing): an
 * https address with a host and a path. Which hosts are allowed is the backend's call.
 * @param {string} url
 */
function webhookUrlProblem_(url) {
  if (url.length > 2048) return MESSAGES_.webhookTooLong();
  var match = /^https:\/\/([^\/?#@\s:]+)(:\d+)?(\/[^\s#]*)$/i.exec(url);
  if (!match || match[1].indexOf('.') < 0 || match[3].length < 2) return MESSAGES_.webhookShape();
  return '';
}
