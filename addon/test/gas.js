// Stand-ins for the Apps Script services the add-on uses, and a loader that runs the
// add-on's .gs files in a Node `vm` context with them, the way Apps Script runs them:
// every .gs file in one global scope.
//
// The stand-ins record what a person would see (menus, alerts, prompts, toasts, the
// active tab, sidebars, dialogs) and what went over the wire. UrlFetchApp.fetch makes a
// real, synchronous HTTP request (urlfetch-helper.js on a worker thread) and fails
// the way UrlFetchApp does: exceptions such as "Address unavailable: URL" when no HTTP
// answer came back, and "Request failed for URL returned code N" for HTTP errors unless
// muteHttpExceptions is set.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { Worker, MessageChannel, receiveMessageOnPort } = require('node:worker_threads');

const ADDON = path.resolve(__dirname, '..');
const HELPER = path.join(__dirname, 'urlfetch-helper.js');

/** An Apps Script enum value: compared by identity, printed by name. */
function enumOf(names) {
  const out = {};
  for (const name of names) out[name] = Object.freeze({ name, toString: () => name, toJSON: () => name });
  return Object.freeze(out);
}

const AuthMode = enumOf(['NONE', 'CUSTOM_FUNCTION', 'LIMITED', 'FULL']);
const Button = enumOf(['CLOSE', 'OK', 'CANCEL', 'YES', 'NO']);
const ButtonSet = enumOf(['OK', 'OK_CANCEL', 'YES_NO', 'YES_NO_CANCEL']);
const EventType = enumOf(['CLOCK', 'ON_OPEN', 'ON_EDIT', 'ON_FORM_SUBMIT', 'ON_CHANGE', 'ON_EVENT_UPDATED']);
const TriggerSource = enumOf(['SPREADSHEETS', 'CLOCK', 'FORMS', 'DOCUMENTS', 'CALENDAR']);
const WeekDay = enumOf(['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY']);

class AppsScriptException extends Error {
  constructor(message) {
    super(message);
    this.name = 'Exception';
  }
}

/** One worker thread makes the HTTP requests; the main thread blocks until each answers. */
let fetcher = null;

function httpOnce(spec) {
  if (!fetcher) {
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(HELPER, { workerData: { port: port2, signal }, transferList: [port2] });
    worker.unref();
    port1.unref();
    fetcher = { worker, port: port1, signal };
  }
  Atomics.store(fetcher.signal, 0, 0);
  fetcher.worker.postMessage(spec);
  const waited = Atomics.wait(fetcher.signal, 0, 0, spec.timeoutMs + 10000);
  const message = receiveMessageOnPort(fetcher.port);
  if (waited === 'timed-out' || !message) throw new Error('urlfetch-helper: no answer from the worker');
  return message.message;
}

/** UrlFetchApp's exception texts for requests that got no HTTP answer. */
function fetchException(url, error) {
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
      return new AppsScriptException('DNS error: ' + url);
    case 'TIMEOUT':
    case 'ETIMEDOUT':
      return new AppsScriptException('Timeout: ' + url);
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'EPIPE':
      return new AppsScriptException('Address unavailable: ' + url);
    case 'INVALID_URL':
      return new AppsScriptException('Invalid argument: ' + url);
    default:
      if (/CERT|TLS|SSL/.test(String(error.code))) return new AppsScriptException('SSL Error ' + url);
      return new AppsScriptException('Unexpected error: ' + url);
  }
}

class Properties {
  constructor(name, initial, log) {
    this.name = name;
    this.values = Object.assign({}, initial || {});
    this.log = log;
  }
  _touch(op) {
    this.log.push({ store: this.name, op });
  }
  getProperty(key) {
    this._touch('read');
    return Object.prototype.hasOwnProperty.call(this.values, key) ? this.values[key] : null;
  }
  getProperties() {
    this._touch('read');
    return Object.assign({}, this.values);
  }
  getKeys() {
    this._touch('read');
    return Object.keys(this.values);
  }
  setProperty(key, value) {
    this._touch('write');
    this.values[key] = String(value);
    return this;
  }
  setProperties(values, deleteAllOthers) {
    this._touch('write');
    if (deleteAllOthers) this.values = {};
    for (const [k, v] of Object.entries(values)) this.values[k] = String(v);
    return this;
  }
  deleteProperty(key) {
    this._touch('write');
    delete this.values[key];
    return this;
  }
  deleteAllProperties() {
    this._touch('write');
    this.values = {};
    return this;
  }
}

class HtmlOutput {
  constructor(file, content) {
    this.file = file;
    this.content = content;
    this.title = '';
    this.width = null;
    this.height = null;
  }
  setTitle(title) {
    this.title = title;
    return this;
  }
  setWidth(width) {
    this.width = width;
    return this;
  }
  setHeight(height) {
    this.height = height;
    return this;
  }
  getContent() {
    return this.content;
  }
  getTitle() {
    return this.title;
  }
}

/** "C14" → [14, 3]; "C" → [null, 3]; anything else → null. */
function parseA1(a1) {
  const match = /^([A-Z]{1,3})(\d+)?$/.exec(String(a1).toUpperCase());
  if (!match) return null;
  let column = 0;
  for (const ch of match[1]) column = column * 26 + (ch.charCodeAt(0) - 64);
  return [match[2] ? Number(match[2]) : null, column];
}

function columnLetters(column) {
  let out = '';
  let n = column;
  while (n > 0) {
    const rest = (n - 1) % 26;
    out = String.fromCharCode(65 + rest) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** Utilities.formatDate for the SimpleDateFormat letters the add-on uses. */
function formatDate(date, timeZone, format) {
  if (!date || typeof date.getTime !== 'function' || isNaN(date.getTime())) {
    throw new AppsScriptException('Invalid argument: date');
  }
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
    }).formatToParts(date);
  } catch (err) {
    throw new AppsScriptException('Invalid argument: timeZone');
  }
  const part = (type) => (parts.find((p) => p.type === type) || {}).value;
  const isoDay = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }[part('weekday')];
  const tokens = {
    yyyy: part('year'),
    MM: part('month'),
    dd: part('day'),
    HH: part('hour'),
    mm: part('minute'),
    ss: part('second'),
    EEE: part('weekday'),
    u: String(isoDay),
  };
  return String(format).replace(/yyyy|MM|dd|HH|mm|ss|EEE|u/g, (t) => tokens[t]);
}

/**
 * Installable triggers as Apps Script keeps them for an add-on: each belongs to one user and
 * (when made in a document) to that document, and an add-on may have at most one
 * time-driven trigger per user and document, running at most once an hour.
 */
function createTriggers(o, record, currentUser, documentId, hasFunction) {
  let next = 1;
  const all = (o.triggers || []).map((t) => Object.assign({ eventType: 'CLOCK' }, t));
  record.triggers = all;
  record.triggerLog = [];

  const handle = (t) => ({
    getUniqueId: () => t.uid,
    getHandlerFunction: () => t.handler,
    getEventType: () => EventType[t.eventType],
    getTriggerSource: () => TriggerSource.CLOCK,
    getTriggerSourceId: () => null,
  });

  function clockBuilder(handler) {
    const spec = {};
    const api = {
      after(ms) { spec.after = ms; return api; },
      at(date) { spec.at = new Date(date).toISOString(); return api; },
      everyMinutes() {
        throw new AppsScriptException('Add-ons can\'t create time-based triggers that run more often than once an hour.');
      },
      everyHours(n) { spec.everyHours = n; return api; },
      everyDays(n) { spec.everyDays = n; return api; },
      everyWeeks(n) { spec.everyWeeks = n; return api; },
      onWeekDay(day) { spec.onWeekDay = String(day); return api; },
      atHour(hour) {
        if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new AppsScriptException('Invalid argument: hour');
        spec.atHour = hour;
        return api;
      },
      nearMinute(minute) { spec.nearMinute = minute; return api; },
      inTimezone(tz) {
        formatDate(new Date(0), tz, 'yyyy'); // an unknown zone is refused
        spec.inTimezone = tz;
        return api;
      },
      create() {
        const recurring = spec.everyHours || spec.everyDays || spec.everyWeeks;
        if (!recurring && !spec.after && !spec.at) {
          throw new AppsScriptException('The trigger has no schedule: call everyHours, everyDays, everyWeeks, at or after.');
        }
        if (spec.atHour !== undefined && !(spec.everyDays || spec.everyWeeks)) {
          throw new AppsScriptException('atHour needs everyDays or everyWeeks.');
        }
        if (!hasFunction(handler)) throw new Error('stand-in: the trigger calls ' + handler + ', which the add-on does not define');
        const mine = all.filter((t) => t.user === currentUser && t.documentId === documentId && t.eventType === 'CLOCK');
        if (mine.length > 0) {
          throw new AppsScriptException(
            'This add-on has created too many time-based triggers in this document for this Google user account.'
          );
        }
        const trigger = { uid: 'trigger-' + next++, handler, user: currentUser, documentId, eventType: 'CLOCK', spec };
        all.push(trigger);
        record.triggerLog.push({ op: 'create', uid: trigger.uid, handler, spec });
        return handle(trigger);
      },
    };
    return api;
  }

  return {
    newTrigger(handler) {
      return {
        timeBased: () => clockBuilder(String(handler)),
        forSpreadsheet() {
          throw new Error('stand-in: only time-based triggers are emulated');
        },
      };
    },
    getUserTriggers(spreadsheet) {
      const id = spreadsheet.getId();
      return all.filter((t) => t.user === currentUser && t.documentId === id).map(handle);
    },
    getProjectTriggers() {
      return all.filter((t) => t.user === currentUser).map(handle);
    },
    deleteTrigger(trigger) {
      const uid = trigger.getUniqueId();
      const index = all.findIndex((t) => t.uid === uid && t.user === currentUser);
      if (index < 0) throw new AppsScriptException('No trigger with id ' + uid + ' for this user.');
      all.splice(index, 1);
      record.triggerLog.push({ op: 'delete', uid });
    },
  };
}

/**
 * @param {object} options
 *   spreadsheetId, oauthToken, identityToken, documentProperties, userProperties,
 *   prompts: [{button: 'OK'|'CANCEL'|'CLOSE', text}], sheetNames: [..] or
 *   sheetsApi: {url, token} (tab names read from the Sheets API emulator),
 *   sheetSizes: {tab: [rows, columns]} (default 1000 x 26),
 *   urlFetchTimeoutMs (default 60000, like UrlFetchApp), fetchDelayMs (advances the clock),
 *   now (ISO time: the clock starts there and moves only when told), userEmail,
 *   timeZone (the spreadsheet's), triggers: [{uid, handler, user, documentId, spec}],
 *   context: 'trigger' (a time-driven trigger: no UI; with triggerDocument false, no
 *   active spreadsheet and no document properties either)
 */
function createAppsScript(options) {
  const o = Object.assign(
    { spreadsheetId: 'spreadsheet-1', oauthToken: '', identityToken: '', prompts: [], urlFetchTimeoutMs: 60000 },
    options || {}
  );
  const record = {
    menus: [],
    alerts: [],
    prompts: [],
    toasts: [],
    activeSheet: null,
    sidebars: [],
    dialogs: [],
    fetches: [],
    activeRange: null,
    logs: [],
    propertyAccess: [],
  };
  const prompts = o.prompts.slice();
  const documentProperties = new Properties('document', o.documentProperties, record.propertyAccess);
  const userProperties = new Properties('user', o.userProperties, record.propertyAccess);
  const scriptProperties = new Properties('script', o.scriptProperties, record.propertyAccess);
  let clockOffset = 0;
  const clockBase = o.now ? Date.parse(o.now) : null;
  const inTrigger = o.context === 'trigger';
  const withDocument = !inTrigger || o.triggerDocument !== false;
  const userEmail = o.userEmail || '';

  function tokenName(header) {
    if (!header) return 'none';
    const token = String(header).replace(/^Bearer /, '');
    if (o.oauthToken && token === o.oauthToken) return 'oauth';
    if (o.identityToken && token === o.identityToken) return 'identity';
    return 'other';
  }

  function sheetNames() {
    if (o.sheetsApi) {
      const answer = httpOnce({
        url: o.sheetsApi.url.replace(/\/$/, '') + '/v4/spreadsheets/' + o.spreadsheetId + '?includeGridData=false',
        method: 'GET',
        headers: { Authorization: 'Bearer ' + o.sheetsApi.token },
        timeoutMs: 10000,
      });
      if (answer.error || answer.status !== 200) {
        throw new Error('stand-in: cannot list tabs: ' + JSON.stringify(answer.error || answer.status));
      }
      return JSON.parse(answer.body).sheets.map((s) => s.properties.title);
    }
    return o.sheetNames || [];
  }

  const sheet = (name) => {
    const size = (o.sheetSizes && o.sheetSizes[name]) || [1000, 26];
    const self = {
      getName: () => name,
      getMaxRows: () => size[0],
      getMaxColumns: () => size[1],
      activate() {
        record.activeSheet = name;
        return self;
      },
      /** getRange("C14") | getRange(row, column[, rows[, columns]]) */
      getRange(...args) {
        let row;
        let column;
        let rows = 1;
        let columns = 1;
        if (args.length === 1) {
          const parsed = parseA1(args[0]);
          if (!parsed || parsed[0] === null) throw new AppsScriptException('Range not found');
          [row, column] = parsed;
        } else {
          [row, column, rows = 1, columns = 1] = args.map(Number);
        }
        if (![row, column, rows, columns].every((n) => Number.isInteger(n) && n >= 1)) {
          throw new AppsScriptException('The coordinates of the range are outside the dimensions of the sheet.');
        }
        if (row + rows - 1 > size[0] || column + columns - 1 > size[1]) {
          throw new AppsScriptException('The coordinates of the range are outside the dimensions of the sheet.');
        }
        const a1 =
          columnLetters(column) + row + (rows > 1 || columns > 1 ? ':' + columnLetters(column + columns - 1) + (row + rows - 1) : '');
        const range = {
          getA1Notation: () => a1,
          getSheet: () => self,
          activate() {
            record.activeSheet = name;
            record.activeRange = name + '!' + a1;
            return range;
          },
        };
        return range;
      },
    };
    return self;
  };

  const spreadsheet = {
    getId: () => o.spreadsheetId,
    getName: () => 'Test spreadsheet',
    getSpreadsheetTimeZone: () => o.timeZone || 'Etc/UTC',
    getUrl: () => 'https://docs.google.com/spreadsheets/d/' + o.spreadsheetId + '/edit',
    toast(msg, title, timeoutSeconds) {
      record.toasts.push({ msg: String(msg), title: title === undefined ? null : String(title), timeoutSeconds: timeoutSeconds === undefined ? null : timeoutSeconds });
    },
    getSheetByName(name) {
      return sheetNames().indexOf(name) >= 0 ? sheet(name) : null;
    },
    setActiveSheet(s) {
      record.activeSheet = s.getName();
      return s;
    },
  };

  function menu(kind, title) {
    const entry = { kind, title: title || null, items: [], addedToUi: false };
    const api = {
      addItem(caption, functionName) {
        entry.items.push({ caption, functionName });
        return api;
      },
      addSeparator() {
        entry.items.push({ separator: true });
        return api;
      },
      addSubMenu(sub) {
        entry.items.push({ subMenu: sub && sub.__entry ? sub.__entry.title : null });
        return api;
      },
      addToUi() {
        entry.addedToUi = true;
        record.menus.push(entry);
      },
      __entry: entry,
    };
    return api;
  }

  // alert(prompt) | alert(prompt, buttons) | alert(title, prompt, buttons)
  function dialogArgs(args) {
    if (args.length >= 3) return { title: String(args[0]), prompt: String(args[1]), buttons: String(args[2]) };
    if (args.length === 2 && typeof args[1] !== 'string') return { title: null, prompt: String(args[0]), buttons: String(args[1]) };
    if (args.length === 2) return { title: String(args[0]), prompt: String(args[1]), buttons: 'OK' };
    return { title: null, prompt: String(args[0]), buttons: 'OK' };
  }

  const ui = {
    Button,
    ButtonSet,
    createAddonMenu: () => menu('addon'),
    createMenu: (title) => menu('menu', title),
    alert(...args) {
      record.alerts.push(dialogArgs(args));
      return Button.OK;
    },
    prompt(...args) {
      const shown = dialogArgs(args);
      record.prompts.push(shown);
      const next = prompts.shift();
      if (!next) throw new Error('stand-in: the add-on asked an unexpected question: ' + shown.prompt);
      const button = Button[next.button || 'OK'];
      return { getSelectedButton: () => button, getResponseText: () => String(next.text || '') };
    },
    showSidebar(html) {
      record.sidebars.push({ file: html.file, title: html.title });
    },
    showModalDialog(html, title) {
      record.dialogs.push({ file: html.file, title, width: html.width, height: html.height });
    },
    showModelessDialog(html, title) {
      record.dialogs.push({ file: html.file, title, width: html.width, height: html.height, modeless: true });
    },
  };

  let context = null;
  const triggers = createTriggers(
    o,
    record,
    userEmail,
    withDocument ? o.spreadsheetId : null,
    (name) => !!context && typeof context[name] === 'function'
  );

  const globals = {
    SpreadsheetApp: {
      getUi() {
        if (inTrigger) throw new AppsScriptException('Cannot call SpreadsheetApp.getUi() from this context.');
        return ui;
      },
      getActiveSpreadsheet: () => (withDocument ? spreadsheet : null),
      flush() {},
    },
    PropertiesService: {
      getDocumentProperties: () => (withDocument ? documentProperties : null),
      getUserProperties: () => userProperties,
      getScriptProperties: () => scriptProperties,
    },
    ScriptApp: {
      AuthMode,
      EventType,
      TriggerSource,
      WeekDay,
      getOAuthToken: () => o.oauthToken,
      getIdentityToken: () => o.identityToken,
      newTrigger: triggers.newTrigger,
      getUserTriggers: triggers.getUserTriggers,
      getProjectTriggers: triggers.getProjectTriggers,
      deleteTrigger: triggers.deleteTrigger,
    },
    Session: {
      getEffectiveUser: () => ({ getEmail: () => userEmail }),
      getActiveUser: () => ({ getEmail: () => userEmail }),
      getScriptTimeZone: () => 'Etc/UTC',
    },
    Utilities: {
      formatDate: (date, timeZone, format) => formatDate(date, timeZone, format),
      sleep() {
        throw new Error('stand-in: the add-on must not sleep (a page polls instead)');
      },
    },
    HtmlService: {
      createHtmlOutputFromFile(name) {
        const file = path.join(ADDON, name.endsWith('.html') ? name : name + '.html');
        if (!fs.existsSync(file)) throw new AppsScriptException('No HTML file named ' + name + ' was found.');
        return new HtmlOutput(path.basename(file), fs.readFileSync(file, 'utf8'));
      },
    },
    UrlFetchApp: {
      fetch(url, params) {
        const p = params || {};
        const headers = Object.assign({}, p.headers || {});
        if (p.contentType) headers['Content-Type'] = p.contentType;
        const method = String(p.method || 'get').toLowerCase();
        const spec = { url: String(url), method, headers, payload: p.payload, timeoutMs: o.urlFetchTimeoutMs };
        const started = Date.now();
        const answer = httpOnce(spec);
        clockOffset += o.fetchDelayMs || 0;
        record.fetches.push({
          url: String(url),
          method,
          token: tokenName(headers.Authorization),
          muteHttpExceptions: !!p.muteHttpExceptions,
          operationName: (() => {
            try {
              return JSON.parse(p.payload).operationName || null;
            } catch (err) {
              return null;
            }
          })(),
          variables: (() => {
            try {
              return JSON.parse(p.payload).variables || null;
            } catch (err) {
              return null;
            }
          })(),
          status: answer.error ? null : answer.status,
          error: answer.error ? answer.error.code : null,
          ms: Date.now() - started,
        });
        if (answer.error) throw fetchException(String(url), answer.error);
        if (!p.muteHttpExceptions && answer.status >= 400) {
          throw new AppsScriptException(
            'Request failed for ' + url + ' returned code ' + answer.status + '. Truncated server response: ' +
              answer.body.slice(0, 100) + ' (use muteHttpExceptions option to examine full response)'
          );
        }
        return {
          getResponseCode: () => answer.status,
          getContentText: () => answer.body,
          getHeaders: () => Object.assign({}, answer.headers),
          getAllHeaders: () => Object.assign({}, answer.headers),
        };
      },
    },
    console: {
      log: (...a) => record.logs.push({ level: 'log', text: a.map(String).join(' ') }),
      info: (...a) => record.logs.push({ level: 'info', text: a.map(String).join(' ') }),
      warn: (...a) => record.logs.push({ level: 'warn', text: a.map(String).join(' ') }),
      error: (...a) => record.logs.push({ level: 'error', text: a.map(String).join(' ') }),
    },
  };

  context = vm.createContext(globals);
  // The clock: Date.now() moves on by fetchDelayMs at every fetch (to test slow calls), and by
  // advance(ms); with options.now it starts there and stands still otherwise.
  vm.runInContext(
    '(function (realNow) { Date.now = function () { return __clockBase(realNow) + __clockOffset(); }; })(Date.now);',
    Object.assign(context, {
      __clockOffset: () => clockOffset,
      __clockBase: (realNow) => (clockBase === null ? realNow() : clockBase),
    })
  );
  const files = fs.readdirSync(ADDON).filter((f) => f.endsWith('.gs')).sort();
  for (const file of files) {
    vm.runInContext(fs.readFileSync(path.join(ADDON, file), 'utf8'), context, { filename: file });
  }
  return {
    context,
    record,
    documentProperties,
    userProperties,
    AuthMode,
    /** Moves the add-on's clock on (what a page waiting between two calls does). */
    advance(ms) {
      clockOffset += ms;
    },
    /** Calls a global function of the add-on as Apps Script would (a menu item, google.script.run). */
    call(name, ...args) {
      const fn = context[name];
      if (typeof fn !== 'function') throw new Error('the add-on has no global function ' + name);
      return fn(...args);
    },
  };
}

module.exports = { createAppsScript, AuthMode, Button, ButtonSet, EventType, WeekDay, AppsScriptException, ADDON, formatDate };
