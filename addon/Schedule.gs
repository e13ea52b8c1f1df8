/**
 * The schedule: classifying on its own, with the saved settings, from an installable
 * time-driven trigger that calls runScheduledClassification.
 *
 * Kinds: OFF; HOURLY (everyHours(1): an add-on's triggers run at most once an hour, and
 * Google picks the minute); DAILY, WEEKLY, CLOSE (a trigger every day at scheduleHour in
 * the spreadsheet's time zone, which skips the days that are not due: WEEKLY runs on
 * Mondays, CLOSE on each of the first CLOSE_WINDOW_DAYS days after a fiscal quarter ends
 * and on Mondays otherwise).
 *
 * Apps Script's rules shape the rest. An installable trigger runs as the account that
 * created it, so saving a schedule makes it run as whoever saved it (the settings record
 * their e-mail, scheduleOwner; a trigger made by someone else earlier removes itself when
 * it sees that). An add-on has at most one time-driven trigger per user and document, so
 * saving deletes this user's trigger before creating the new one. A trigger may run
 * without its document open: it finds the spreadsheet, and a copy of the settings, under
 * its trigger id in the owner's user properties (SCHEDULE_ENTRY_PREFIX + spreadsheet id),
 * and reads the document's own settings when Apps Script gives it the document. It cannot
 * show anything (no UI in a trigger): the backend records the run (History shows it, with
 * trigger SCHEDULE), alerts follow from there, and the outcome of the last try is kept in
 * the same user property for Settings to show.
 */

var SCHEDULE_HANDLER = 'runScheduledClassification';
var SCHEDULE_KINDS = ['OFF', 'HOURLY', 'DAILY', 'WEEKLY', 'CLOSE'];
var SCHEDULE_DEFAULT_HOUR = 6;
var CLOSE_WINDOW_DAYS = 14;
/** ISO day of the week the weekly runs fall on (1 = Monday). */
var WEEKLY_ISO_DAY = 1;
var SCHEDULE_ENTRY_PREFIX = 'SALES_VERDICTS_SCHEDULE.';

/**
 * Makes this user's trigger for this spreadsheet match `settings.schedule`: deletes the
 * ones there are, then creates one unless the schedule is OFF.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} spreadsheet
 * @param {Settings} settings
 * @returns {{ok: true, triggerUid: string} | {ok: false, message: string}}
 */
function installSchedule_(spreadsheet, settings) {
  try {
    ScriptApp.getUserTriggers(spreadsheet).forEach(function (trigger) {
      if (trigger.getHandlerFunction() === SCHEDULE_HANDLER) ScriptApp.deleteTrigger(trigger);
    });
    if (settings.schedule === 'OFF') return { ok: true, triggerUid: '' };
    var builder = ScriptApp.newTrigger(SCHEDULE_HANDLER).timeBased();
    var trigger =
      settings.schedule === 'HOURLY'
        ? builder.everyHours(1).create()
        : builder
            .everyDays(1)
            .atHour(settings.scheduleHour)
            .inTimezone(settings.timeZone || 'Etc/UTC')
            .create();
    return { ok: true, triggerUid: trigger.getUniqueId() };
  } catch (err) {
    var text = err && /** @type {any} */ (err).message ? String(/** @type {any} */ (err).message) : String(err);
    console.warn('Sales Verdicts: the schedule could not be set: ' + text);
    return { ok: false, message: MESSAGES_.scheduleNotSet(text) };
  }
}

/**
 * Keeps, in this user's properties, what their trigger needs when it runs without the
 * document: the spreadsheet, the trigger's id and a copy of the settings (or forgets it
 * when the schedule is OFF). The last outcome is kept across saves.
 * @param {string} spreadsheetId
 * @param {string} triggerUid
 * @param {Settings} settings
 */
function rememberSchedule_(spreadsheetId, triggerUid, settings) {
  var userProperties = PropertiesService.getUserProperties();
  var key = SCHEDULE_ENTRY_PREFIX + spreadsheetId;
  if (!triggerUid) {
    userProperties.deleteProperty(key);
    return;
  }
  var previous = readScheduleEntry_(userProperties.getProperty(key));
  userProperties.setProperty(
    key,
    JSON.stringify({
      spreadsheetId: spreadsheetId,
      triggerUid: triggerUid,
      settings: settingsRecord_(settings),
      last: previous ? previous.last : null,
    })
  );
}

/**
 * @typedef {{spreadsheetId: string, triggerUid: string, settings: Object<string, any>, last: any}} ScheduleEntry
 */

/**
 * @param {string | null} raw
 * @returns {ScheduleEntry | null}
 */
function readScheduleEntry_(raw) {
  if (!raw) return null;
  try {
    var entry = JSON.parse(raw);
    if (entry && typeof entry.spreadsheetId === 'string' && typeof entry.triggerUid === 'string') {
      return entry;
    }
  } catch (err) {
    // a hand-edited property: treated as missing
  }
  return null;
}

/**
 * This user's entry for the trigger `triggerUid` (or, failing that, for `spreadsheetId`).
 * @param {string} triggerUid
 * @param {string} spreadsheetId
 * @returns {{key: string, entry: ScheduleEntry} | null}
 */
function findScheduleEntry_(triggerUid, spreadsheetId) {
  var stored = PropertiesService.getUserProperties().getProperties();
  /** @type {{key: string, entry: ScheduleEntry} | null} */
  var bySheet = null;
  var keys = Object.keys(stored).filter(function (k) {
    return k.indexOf(SCHEDULE_ENTRY_PREFIX) === 0;
  });
  for (var i = 0; i < keys.length; i++) {
    var entry = readScheduleEntry_(stored[keys[i]]);
    if (!entry) continue;
    if (triggerUid && entry.triggerUid === triggerUid) return { key: keys[i], entry: entry };
    if (spreadsheetId && entry.spreadsheetId === spreadsheetId) bySheet = { key: keys[i], entry: entry };
  }
  return bySheet;
}

/**
 * The schedule's trigger function. Reads the saved settings, skips a day that is not due,
 * and starts a run of the latest quarter that has ended with trigger SCHEDULE, without
 * waiting for it (wait 0: the backend carries it on, records it and sends the alerts).
 * Returns what it did, for the logs (Apps Script ignores a trigger's return value).
 * @param {GoogleAppsScript.Events.TimeDriven | {triggerUid?: string}} [e]
 * @returns {{ran: boolean, reason?: string, day?: string, ok?: boolean, runId?: string, status?: string, message?: string}}
 */
function runScheduledClassification(e) {
  var triggerUid = e && e.triggerUid ? String(e.triggerUid) : '';
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet(); // null when the trigger runs without it
  var found = findScheduleEntry_(triggerUid, spreadsheet ? spreadsheet.getId() : '');
  var spreadsheetId = spreadsheet ? spreadsheet.getId() : found ? found.entry.spreadsheetId : '';
  if (!spreadsheetId) {
    console.warn('Sales Verdicts: a schedule trigger ran for a spreadsheet it no longer knows; removing it.');
    deleteOwnTrigger_(triggerUid);
    return { ran: false, reason: 'UNKNOWN_SPREADSHEET' };
  }
  var documentProperties = PropertiesService.getDocumentProperties();
  var settings = documentProperties
    ? readSettings_(documentProperties)
    : settingsFromRecord_(found ? found.entry.settings : {});

  if (settings.schedule === 'OFF') {
    deleteOwnTrigger_(triggerUid);
    if (found) PropertiesService.getUserProperties().deleteProperty(found.key);
    return { ran: false, reason: 'OFF' };
  }
  var me = effectiveEmail_();
  if (settings.scheduleOwner && me && settings.scheduleOwner !== me) {
    // Someone saved the schedule after this trigger's owner did: theirs runs instead.
    deleteOwnTrigger_(triggerUid);
    if (found) PropertiesService.getUserProperties().deleteProperty(found.key);
    return { ran: false, reason: 'SUPERSEDED' };
  }

  var today = localDay_(new Date(Date.now()), settings.timeZone || 'Etc/UTC');
  if (!scheduleDue_(settings.schedule, today, settings.fiscalYearStartMonth)) {
    return { ran: false, reason: 'NOT_DUE', day: today.iso };
  }
  if (!settings.backendUrl) return { ran: false, reason: 'NOT_CONFIGURED', day: today.iso };

  var outcome = callBackend_(
    settings,
    CLASSIFY_DOCUMENT,
    {
      spreadsheetId: spreadsheetId,
      quarter: null,
      options: classifyOptions_(settings),
      wait: 0,
      trigger: 'SCHEDULE',
    },
    'AddonClassifyQuarter'
  );
  var result = outcome.ok
    ? {
        ran: true,
        day: today.iso,
        ok: true,
        runId: String(outcome.data.classifyQuarter.id),
        status: String(outcome.data.classifyQuarter.status),
      }
    : { ran: true, day: today.iso, ok: false, message: outcome.message };
  if (outcome.ok) console.log('Sales Verdicts: scheduled run ' + result.runId + ' started (' + result.status + ').');
  else console.warn('Sales Verdicts: the scheduled run could not start: ' + result.message);
  if (found) {
    found.entry.last = Object.assign({ at: new Date(Date.now()).toISOString() }, result);
    PropertiesService.getUserProperties().setProperty(found.key, JSON.stringify(found.entry));
  }
  return result;
}

/**
 * Is `day` due for the schedule `kind`?
 * @param {string} kind
 * @param {{year: number, month: number, day: number, isoWeekday: number}} day
 * @param {number} fiscalYearStartMonth
 */
function scheduleDue_(kind, day, fiscalYearStartMonth) {
  switch (kind) {
    case 'HOURLY':
    case 'DAILY':
      return true;
    case 'WEEKLY':
      return day.isoWeekday === WEEKLY_ISO_DAY;
    case 'CLOSE':
      return inCloseWindow_(day, fiscalYearStartMonth) || day.isoWeekday === WEEKLY_ISO_DAY;
    default:
      return false;
  }
}

/**
 * The first CLOSE_WINDOW_DAYS days after a fiscal quarter ends: days 1 to 14 of a month
 * that starts a fiscal quarter (the fiscal year starts in `fiscalYearStartMonth`, and its
 * quarters every three months from there).
 * @param {{month: number, day: number}} day
 * @param {number} fiscalYearStartMonth
 */
function inCloseWindow_(day, fiscalYearStartMonth) {
  var startsQuarter = (((day.month - fiscalYearStartMonth) % 3) + 3) % 3 === 0;
  return startsQuarter && day.day <= CLOSE_WINDOW_DAYS;
}

/**
 * The calendar day `date` falls on in `timeZone`.
 * @param {Date} date
 * @param {string} timeZone
 */
function localDay_(date, timeZone) {
  var iso = Utilities.formatDate(date, timeZone, 'yyyy-MM-dd');
  var parts = iso.split('-').map(Number);
  return {
    iso: iso,
    year: parts[0],
    month: parts[1],
    day: parts[2],
    isoWeekday: Number(Utilities.formatDate(date, timeZone, 'u')),
  };
}

/** @param {string} triggerUid */
function deleteOwnTrigger_(triggerUid) {
  if (!triggerUid) return;
  ScriptApp.getProjectTriggers().forEach(function (trigger) {
    if (trigger.getUniqueId() === triggerUid) ScriptApp.deleteTrigger(trigger);
  });
}

/**
 * What Settings shows beside the schedule: who it runs as, in which time zone, and how
 * this user's last scheduled run went.
 * @param {Settings} settings
 */
function scheduleStatus_(settings) {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var found = findScheduleEntry_('', spreadsheet.getId());
  return {
    owner: settings.scheduleOwner,
    me: effectiveEmail_(),
    timeZone: settings.timeZone || spreadsheet.getSpreadsheetTimeZone() || 'Etc/UTC',
    last: found ? found.entry.last : null,
  };
}
