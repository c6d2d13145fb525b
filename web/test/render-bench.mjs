// First render of the public pages in headless Chromium (playwright-core, Debian's
// /usr/bin/chromium), over loopback, with the Iowa 2020 demo and every precinct reported:
//   1. the Preact results page (#/) from `canvass serve --web web/dist`, and the audit page
//      (#/audit) to its first rows of the materiality list;
//   2. the plain HTML site `canvass publish --out DIR` writes (DIR/index.html), served by
//      `canvass serve --web DIR` (it serves any directory of static files).
// For each: first contentful paint, DOMContentLoaded and load (from the page's own Performance
// timeline), and for the Preact page also the moment the state totals are on screen; the
// median and the slowest of --runs cold loads (a fresh browser context each: no cache).
// Not run by the tests (it times things); run by hand, after building canvass, canvass_load and
// web/dist:
//   CANVASS_BIN=build-pr4/canvass node web/test/render-bench.mjs [--runs 7]
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, openSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bin = path.resolve(process.env.CANVASS_BIN ?? path.join(root, 'build/canvass'));
const load = path.join(path.dirname(bin), 'bench/canvass_load');
const chromiumPath = process.env.CANVASS_CHROMIUM ?? '/usr/bin/chromium';
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

for (const f of [bin, load, path.join(root, 'web/dist/index.html'), chromiumPath]) {
  if (!existsSync(f)) {
    console.error(`render-bench: ${f} is missing`);
    process.exit(2);
  }
}

const tmp = mkdtempSync(path.join(tmpdir(), 'canvass-render-'));
const servers = [];
let browser;

async function cleanup() {
  await browser?.close().catch(() => undefined);
  for (const s of servers) if (s.exitCode === null) s.kill('SIGTERM');
  await Promise.all(servers.map((s) => (s.exitCode === null ? new Promise((r) => s.once('exit', r)) : null)));
  rmSync(tmp, { recursive: true, force: true });
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

async function until(what, check, timeout = 60_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    const v = await check().catch(() => null);
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function serve(name, web) {
  const portFile = path.join(tmp, `${name}.port`);
  const log = openSync(path.join(tmp, `${name}.log`), 'w');
  const s = spawn(bin, ['serve', '--store', path.join(tmp, 'iowa.db'), '--address', '127.0.0.1', '--port', '0',
    '--port-file', portFile, '--fast-kdf', '--no-rate-limits', '--web', web], { stdio: ['ignore', log, log] });
  servers.push(s);
  const port = await until(`${name} to listen`, async () => {
    if (s.exitCode !== null) throw new Error(`${name} exited`);
    return existsSync(portFile) && readFileSync(portFile, 'utf8').trim();
  });
  const base = `http://127.0.0.1:${port}`;
  await until(`${name} health`, async () => (await fetch(`${base}/api/v1/health`)).ok);
  return { s, base };
}

async function stop(s) {
  if (s.exitCode !== null) return;
  const done = new Promise((r) => s.once('exit', r));
  s.kill('SIGTERM');
  await done;
}

// One cold load: a fresh context, then the page's own timeline.
async function measure(url, ready) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  let readyMs = null;
  if (ready) {
    await page.locator(ready).first().waitFor({ timeout: 60_000 });
    readyMs = await page.evaluate(() => performance.now());
  }
  const t = await page.evaluate(async () => {
    // FCP is reported a frame after the paint; wait for it if needed.
    const fcp = await new Promise((resolve) => {
      const have = performance.getEntriesByName('first-contentful-paint')[0];
      if (have) return resolve(have.startTime);
      new PerformanceObserver((l) => resolve(l.getEntries()[0].startTime)).observe({ type: 'paint', buffered: true });
      setTimeout(() => resolve(null), 5000);
    });
    const nav = performance.getEntriesByType('navigation')[0];
    return { fcp, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, bytes: nav.transferSize };
  });
  await context.close();
  return { ...t, ready: readyMs, wall: Date.now() - t0 };
}

function summary(label, samples) {
  const pick = (k) => samples.map((s) => s[k]).filter((v) => typeof v === 'number').sort((a, b) => a - b);
  const fmt = (k) => {
    const v = pick(k);
    return v.length ? `${v[Math.floor((v.length - 1) / 2)].toFixed(0)} ms (max ${v[v.length - 1].toFixed(0)})` : '-';
  };
  console.log(`${label}: first contentful paint ${fmt('fcp')}, DOMContentLoaded ${fmt('dcl')}, load ${fmt('load')}` +
    (samples[0].ready !== null ? `, totals on screen ${fmt('ready')}` : '') + ` [median of ${samples.length} cold loads]`);
}

try {
  console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}; chromium ${execFileSync(chromiumPath, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim()}`);
  execFileSync(bin, ['init', '--demo', '--fast-kdf', '--store', path.join(tmp, 'iowa.db'), '--codes-out', path.join(tmp, 'codes.csv')], { stdio: 'pipe' });

  // The Iowa demo with every precinct's first and final alignment in.
  const live = await serve('live', path.join(root, 'web/dist'));
  const port = new URL(live.base).port;
  const replay = execFileSync(load, ['--port', port, '--codes', path.join(tmp, 'codes.csv'), '--clients', '8'], { timeout: 600_000 }).toString();
  console.log(`replay: ${replay.split('\n')[1] ?? replay.trim()}`);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const preact = [];
  await measure(`${live.base}/#/`, '[data-testid="totals"]'); // warm the server's results cache
  for (let i = 0; i < runs; i++) preact.push(await measure(`${live.base}/#/`, '[data-testid="totals"]'));
  // The audit page: the materiality list of every precinct (the server builds it once per ledger
  // position: the first request pays for it), a page of rows on screen.
  let t0 = Date.now();
  const mres = await fetch(`${live.base}/api/v1/audit/materiality`);
  const mbody = await mres.text();
  const firstMateriality = Date.now() - t0;
  t0 = Date.now();
  await (await fetch(`${live.base}/api/v1/audit/materiality`)).text();
  const cachedMateriality = Date.now() - t0;
  const m = mres.ok ? JSON.parse(mbody) : null;
  const audit = [];
  for (let i = 0; i < runs; i++) audit.push(await measure(`${live.base}/#/audit`, '[data-testid="materiality"] tbody tr'));
  await stop(live.s);

  // The static site of the latest release, written by `canvass publish`.
  const site = path.join(tmp, 'site');
  execFileSync(bin, ['publish', '--store', path.join(tmp, 'iowa.db'), '--out', site], { stdio: 'pipe', timeout: 120_000 });
  const stat = await serve('static', site);
  const plain = [];
  for (let i = 0; i < runs; i++) plain.push(await measure(`${stat.base}/index.html`, null));
  await stop(stat.s);

  summary('Preact results page (#/, canvass serve, 1,765 precincts in)', preact);
  summary('static site index.html (canvass publish --out, served by canvass serve --web)', plain);
  summary('audit page (#/audit, the materiality list; "totals" = its first rows on screen)', audit);
  console.log(`GET /api/v1/audit/materiality: ${mres.status}, ${mbody.length} B, first ${firstMateriality} ms, again ${cachedMateriality} ms` +
    (m ? `; ${m.summary.precincts} precincts, ${m.summary.possibly_material} possibly material (the page shows 50 rows at a time)` : `: ${mbody.slice(0, 200)}`));
  console.log(`transfer: Preact page document ${preact[0].bytes} B; static index.html ${plain[0].bytes} B`);
} catch (e) {
  console.error(`render-bench: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
