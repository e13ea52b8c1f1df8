// Stand-ins for the Apps Script services the add-on uses, and a loader that runs the
// add-on's .gs files in a Node `vm` context with them, the way Apps Script runs them:
// every .gs file in one global scope.
//
// The stand-ins record what a person would see (menus, alerts, prompts, toasts, the
// active tab, sidebars, dialogs) and what went over the wire. UrlFetchApp.fetch makes a
// real, synchronous HTTP request (a child process running urlfetch-helper.js) and fails
// the way UrlFetchApp does: exceptions such as "Address unavailable: URL" when no HTTP
// answer came back, and "Request failed for URL returned code N" for HTTP errors unless
// muteHttpExceptions is set.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { spawnSync } = require('node:child_process');

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

class AppsScriptException extends Error {
  constructor(message) {
    super(message);
    this.name = 'Exception';
  }
}

function httpOnce(spec) {
  const result = spawnSync(process.execPath, [HELPER], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    timeout: spec.timeoutMs + 10000,
  });
  if (result.status !== 0) {
    throw new Error('urlfetch-helper failed: ' + (result.stderr || result.error || result.status));
  }
  return JSON.parse(result.stdout);
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

/**
 * @param {object} options
 *   spreadsheetId, oauthToken, identityToken, documentProperties, userProperties,
 *   prompts: [{button: 'OK'|'CANCEL'|'CLOSE', text}], sheetNames: [..] or
 *   sheetsApi: {url, token} (tab names read from the Sheets API emulator),
 *   urlFetchTimeoutMs (default 60000, like UrlFetchApp), fetchDelayMs (advances the clock)
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
    logs: [],
    propertyAccess: [],
  };
  const prompts = o.prompts.slice();
  const documentProperties = new Properties('document', o.documentProperties, record.propertyAccess);
  const userProperties = new Properties('user', o.userProperties, record.propertyAccess);
  const scriptProperties = new Properties('script', o.scriptProperties, record.propertyAccess);
  let clockOffset = 0;

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

  const sheet = (name) => ({
    getName: () => name,
    activate() {
      record.activeSheet = name;
      return this;
    },
  });

  const spreadsheet = {
    getId: () => o.spreadsheetId,
    getName: () => 'Test spreadsheet',
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

  const globals = {
    SpreadsheetApp: {
      getUi: () => ui,
      getActiveSpreadsheet: () => spreadsheet,
      flush() {},
    },
    PropertiesService: {
      getDocumentProperties: () => documentProperties,
      getUserProperties: () => userProperties,
      getScriptProperties: () => scriptProperties,
    },
    ScriptApp: {
      AuthMode,
      getOAuthToken: () => o.oauthToken,
      getIdentityToken: () => o.identityToken,
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

  const context = vm.createContext(globals);
  // The clock: Date.now() moves on by fetchDelayMs at every fetch (to test slow calls).
  vm.runInContext(
    '(function (realNow) { Date.now = function () { return realNow() + __clockOffset(); }; })(Date.now);',
    Object.assign(context, { __clockOffset: () => clockOffset })
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
    /** Calls a global function of the add-on as Apps Script would (a menu item, google.script.run). */
    call(name, ...args) {
      const fn = context[name];
      if (typeof fn !== 'function') throw new Error('the add-on has no global function ' + name);
      return fn(...args);
    },
  };
}

module.exports = { createAppsScript, AuthMode, Button, ButtonSet, AppsScriptException, ADDON };
