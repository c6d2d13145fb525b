// The shared harness of the browser tests: a real `canvass serve` on a temporary store holding the
// Iowa 2020 demo election, Debian's headless Chromium through playwright-core, and helpers to call
// the API, log in and wait for conditions. Each test file calls `useServer()` once at its top; every
// file gets a server and a browser of its own, so files do not share state.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const bin = process.env.CANVASS_BIN ?? path.join(root, 'build/canvass');
export const artifacts = process.env.CANVASS_WEB_ARTIFACTS ?? path.join(root, 'build/web-artifacts');
const chromiumPath = process.env.CANVASS_CHROMIUM ?? '/usr/bin/chromium';
export const WAIT = 30_000;

let tmp;
let server;
let base;
let browser;
let codes; // label -> code, and `${role}:${subject}` -> code
let startSeq;

export function parseCsv(text) {
  const rows = [];
  for (const line of text.trim().split('\n')) {
    const cells = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
        else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') { cells.push(cur); cur = ''; }
      else cur += c;
    }
    cells.push(cur.replace(/\r$/, ''));
    rows.push(cells);
  }
  return rows;
}

export async function waitFor(what, check, timeout = WAIT) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

export async function api(method, p, { body, token } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* JSON Lines or empty */ }
  return { status: res.status, json, text };
}

export async function tokenFor(code) {
  const r = await api('POST', '/api/v1/session', { body: { code } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

export async function ledgerSince(seq) {
  const r = await api('GET', `/api/v1/ledger?after=${seq}&limit=10000`);
  return r.text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export function chairCode(county, precinct) {
  const c = codes.get(`${county} / ${precinct}`);
  assert.ok(c, `no chair code for ${county} / ${precinct}`);
  return c;
}

export async function precinctId(county, name) {
  const r = await api('GET', '/api/v1/precincts');
  const p = r.json.precincts.find((x) => x.county === county && x.precinct === name);
  assert.ok(p, `no precinct ${county} / ${name}`);
  return p.id;
}

export async function newPage(width, height = 900) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  return { context, page };
}

export async function loginPage(page, route, code) {
  await page.goto(`${base}/#/${route}`);
  // By keyboard only: the code, then Enter.
  await page.getByLabel('Access code from your packet').focus();
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

// A page wider than its viewport has broken layout (a horizontal scroll bar).
export async function assertNoHorizontalOverflow(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client + 1, `${what}: the page is ${scroll}px wide in a ${client}px viewport`);
}

// Registers the file's `before` (start the server and the browser) and `after` hooks. Hooks at the
// top level of a file may run concurrently, so a hook of the test file that reads `h` awaits the
// promise returned here first. `initArgs` replaces `--demo` for `canvass init` (a small election of
// its own, e.g. `--apportionment` with `--candidate`s).
export function useServer({ serveArgs = [], initArgs = ['--demo'] } = {}) {
  let started;
  let failed;
  const ready = new Promise((resolve, reject) => { started = resolve; failed = reject; });
  ready.catch(() => undefined); // reported by the hook itself
  before(async () => {
    try {
      assert.ok(existsSync(bin), `${bin} is missing: build it first (scripts/setup)`);
      assert.ok(existsSync(path.join(root, 'web/dist/index.html')), 'web/dist is missing: run web/build');
      mkdirSync(artifacts, { recursive: true });
      tmp = mkdtempSync(path.join(tmpdir(), 'canvass-web-'));
      const store = path.join(tmp, 'night.db');
      const codesFile = path.join(tmp, 'codes.csv');
      execFileSync(bin, ['init', ...initArgs, '--store', store, '--codes-out', codesFile, '--fast-kdf'], { stdio: 'pipe' });
      codes = new Map();
      for (const [role, subject, label, , code] of parseCsv(readFileSync(codesFile, 'utf8')).slice(1)) {
        if (role === 'chair') codes.set(label, code);
        codes.set(`${role}:${subject}`, code);
      }
      const portFile = path.join(tmp, 'port');
      const log = openSync(path.join(artifacts, `server-${path.basename(process.argv[1] ?? 'test', '.mjs')}.log`), 'w');
      server = spawn(
        bin,
        ['serve', '--store', store, '--port', '0', '--port-file', portFile, '--fast-kdf', '--no-rate-limits', '--web', path.join(root, 'web/dist'), ...serveArgs],
        { stdio: ['ignore', log, log] },
      );
      const port = await waitFor('the server to listen', () => {
        if (server.exitCode !== null) throw new Error(`canvass serve exited with ${server.exitCode}`);
        return existsSync(portFile) && readFileSync(portFile, 'utf8').trim();
      });
      base = `http://127.0.0.1:${port}`;
      await waitFor('health', async () => (await api('GET', '/api/v1/health')).status === 200);
      startSeq = (await api('GET', '/api/v1/health')).json.seq;
      browser = await chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
          '--disable-component-update', '--disable-sync'],
      });
      started();
    } catch (e) {
      failed(e);
      throw e;
    }
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await waitFor('the server to stop', () => server.exitCode !== null, 15_000).catch(() => server.kill('SIGKILL'));
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });
  return ready;
}

// The state of the running test file's server; read through the getters below.
export const h = {
  get base() { return base; },
  get browser() { return browser; },
  get codes() { return codes; },
  get startSeq() { return startSeq; },
  get tmp() { return tmp; },
  get server() { return server; },
};
