// The public results page a reader expects, in Chromium at 360 and 1440 px, against a real
// `canvass serve` holding the Iowa 2020 demo election with a few precincts reported by their chairs
// (county delegates, never SDEs) and two releases published:
//   (r1) both views: national delegates, shares, leader and margin equal /api/v1/results; the
//        partial count is said; the release timeline (chart and table) equals the timeline endpoint
//        and the release index; the totals table has one tab stop per row, each figure an accessible
//        name; the map's counties are reached by Tab and opened with Enter;
//   (r2) the precinct page shows the worksheet photo beside the figures, each column's side named;
//   (r3) the favicon answers 200.
// Every wait is for a condition; nothing sleeps for a fixed time.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { h, useServer, waitFor, api, tokenFor, chairCode, precinctId, newPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';

useServer();
// Read when used: the server's address is known once the harness's own setup has finished.
const base = () => h.base;
const codes = () => h.codes;

// Chairs' reports: first and final alignments and the county delegates of their worksheet.
const REPORTS = [
  { county: 'Adair', name: '1NW ADAIR', final: { Buttigieg: 30, Sanders: 20, Warren: 13 }, delegates: { Buttigieg: 4, Sanders: 2, Warren: 2 } },
  { county: 'Adair', name: '2NE STUART', final: { Sanders: 40, Biden: 30, Warren: 30 }, delegates: { Sanders: 5, Biden: 3, Warren: 3 } },
  { county: 'Osceola', name: 'Ocheyedan Precinct 0500', final: { Buttigieg: 3, Klobuchar: 1, Sanders: 1 }, delegates: { Buttigieg: 2, Klobuchar: 1 } },
];
// A 1x1 PNG: a worksheet photo the browser can draw.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

let reported = false;
let photo = '';
async function reportAndPublish() {
  if (reported) return;
  reported = true;
  const admin = await tokenFor(codes().get('admin:admin'));
  const publish = async () => {
    const r = await api('POST', '/api/v1/releases', { token: admin, body: {} });
    assert.ok(r.status === 201 || r.status === 200, r.text);
  };
  for (const [i, rep] of REPORTS.entries()) {
    const id = await precinctId(rep.county, rep.name);
    const token = await tokenFor(chairCode(rep.county, rep.name));
    let r = await api('POST', `/api/v1/precincts/${id}/first`, { token, body: { submission: `r-first-${i}`, first: rep.final } });
    assert.equal(r.status, 201, r.text);
    r = await api('POST', `/api/v1/precincts/${id}/final`, {
      token, body: { submission: `r-final-${i}`, final: rep.final, delegates: rep.delegates },
    });
    assert.equal(r.status, 201, r.text);
    if (i === 0) {
      const res = await fetch(`${base()}/api/v1/precincts/${id}/photo?submission=r-photo`, {
        method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png' }, body: PNG,
      });
      assert.equal(res.status, 201, await res.text());
      await publish(); // release 1: one precinct in
    }
  }
  // One precinct with its first alignment only: reported, not complete.
  const id = await precinctId('Adair', '3SW FONTANELLE');
  const token = await tokenFor(chairCode('Adair', '3SW FONTANELLE'));
  const r = await api('POST', `/api/v1/precincts/${id}/first`, { token, body: { submission: 'r-first-f', first: { Biden: 12, Sanders: 9 } } });
  assert.equal(r.status, 201, r.text);
  await publish(); // release 2
  const p = await api('GET', `/api/v1/precincts/${await precinctId('Adair', '1NW ADAIR')}`);
  photo = p.json.photos[0];
}

const text = async (page, testid) => (await page.getByTestId(testid).textContent()).trim();

// Everything on screen for the view selected equals the API's figures for that side.
async function checkView(page, view) {
  await page.getByRole('radio', { name: view === 'computed' ? 'As the rules compute them' : 'As reported' }).check();
  const results = (await api('GET', '/api/v1/results')).json;
  const election = (await api('GET', '/api/v1/election')).json;
  const tab = results.totals[view];
  assert.ok(tab.national, `${view}: no national allocation`);
  const seats = Object.values(tab.national.total).reduce((a, b) => a + b, 0);
  assert.ok(seats > 0, `${view}: every national figure is 0`);
  for (const c of election.candidates) {
    await waitFor(`${view}: ${c}'s national delegates`, async () => (await text(page, `national-${c}`)) === String(tab.national.total[c]));
    assert.equal(await text(page, `sde-${c}`), tab.state[c].sde, `${view}: ${c} SDEs`);
    assert.equal(await text(page, `sde-share-${c}`), tab.summary.shares[c].sde, `${view}: ${c} SDE share`);
    assert.equal(await text(page, `final-share-${c}`), tab.summary.shares[c].final, `${view}: ${c} final share`);
  }
  const sde = tab.summary.leader.sde;
  const leaderSde = await text(page, 'leader-sde');
  assert.ok(leaderSde.startsWith(`${sde.candidate} leads in SDEs by ${sde.margin} SDEs over ${sde.second}`), `${view}: ${leaderSde}`);
  const fin = tab.summary.leader.final;
  const leaderFinal = await text(page, 'leader-final');
  assert.ok(
    leaderFinal.startsWith(`${fin.candidate} leads the final alignment by ${fin.margin.toLocaleString('en-US')} people over ${fin.second}`),
    `${view}: ${leaderFinal}`,
  );
  // A partial count says so, with the precincts it rests on.
  assert.equal(tab.national.complete, false);
  const note = await text(page, 'national-note');
  assert.ok(note.includes(`from ${tab.national.precincts.counted} of ${tab.national.precincts.of.toLocaleString('en-US')} precincts`), note);
  assert.match(note, /partial count/);
  return { results, election, tab };
}

async function checkTimeline(page, view, election) {
  const timeline = (await api('GET', '/api/v1/releases/timeline')).json.releases;
  const index = (await api('GET', '/api/v1/releases')).json.releases;
  assert.deepEqual(timeline.map((p) => p.number), index.map((r) => r.number));
  assert.equal(timeline.length, 2);
  await page.getByTestId('timeline-chart').waitFor();
  const rows = page.locator('[data-testid="timeline-table"] tbody tr');
  await waitFor('a timeline row per release', async () => (await rows.count()) === timeline.length);
  for (const [i, point] of timeline.entries()) {
    const row = rows.nth(i);
    assert.equal(await row.getAttribute('data-release'), String(point.number));
    assert.equal(
      (await row.getByTestId('timeline-complete').textContent()).trim(),
      `${point.reporting.complete.toLocaleString('en-US')} of ${point.reporting.precincts.toLocaleString('en-US')}`,
    );
    for (const cell of await row.locator('td[data-candidate]').all()) {
      const c = await cell.getAttribute('data-candidate');
      assert.ok(election.candidates.includes(c));
      assert.equal((await cell.textContent()).trim(), point[view].sde_share[c], `release ${point.number}, ${c}, ${view}`);
    }
  }
  // One line per candidate drawn, besides the precincts line.
  const drawn = await page.locator('[data-testid="timeline-chart"] g[data-series]').count();
  assert.equal(drawn, await rows.nth(0).locator('td[data-candidate]').count());
  assert.ok(drawn > 0);
}

test('(r1) both views: national delegates, shares, leader and margin, the partial count, the timeline, tab stops and the map by keyboard', { timeout: 240_000 }, async () => {
  await reportAndPublish();
  const { context, page } = await newPage(1440, 1000);
  await page.goto(`${base()}/#/`);
  await page.getByTestId('totals').waitFor();
  for (const view of ['computed', 'reported']) {
    const { election } = await checkView(page, view);
    await checkTimeline(page, view, election);
  }
  await page.screenshot({ path: path.join(artifacts, 'results-full-1440.png'), fullPage: true });
  await assertNoHorizontalOverflow(page, 'results at 1440 px');

  // One tab stop per row of the totals table, each figure named for a screen reader.
  const election = (await api('GET', '/api/v1/election')).json;
  const stops = await page.locator('[data-testid="totals"]').evaluate((t) =>
    [...t.querySelectorAll('a[href], button, input, select, [tabindex]')].filter((e) => e.tabIndex >= 0).length);
  assert.ok(stops <= election.candidates.length, `${stops} tab stops in the totals table`);
  const results = (await api('GET', '/api/v1/results')).json;
  const sanders = results.totals.reported.state.Sanders.final.toLocaleString('en-US');
  const link = page.getByRole('link', { name: new RegExp(`^Sanders, final alignment, ${sanders}, from (release|the ledger)`) });
  assert.equal(await link.count(), 1);
  assert.equal(await page.getByRole('link', { name: /^Sanders, SDEs, \d+\.\d{4}, from / }).count(), 1);
  assert.equal(await page.getByRole('link', { name: /^Sanders, national delegates, \d+, from / }).count(), 1);

  // The map is reached with Tab, without passing through every figure, and opened with Enter.
  await page.getByRole('radio', { name: 'As reported' }).focus();
  let presses = 0;
  while (presses < 40) {
    await page.keyboard.press('Tab');
    presses++;
    if (await page.evaluate(() => document.activeElement?.getAttribute('data-county') !== null && document.activeElement?.getAttribute('data-county') !== undefined)) break;
  }
  const first = await page.evaluate(() => document.activeElement?.getAttribute('data-county'));
  assert.equal(first, 'Adair', `no county focused after ${presses} Tab presses`);
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-county')), 'Adams');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /Precincts in — Adams/ }).waitFor();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /Precincts in — Adair \(3\)/ }).waitFor();
  assert.match(await page.locator('path[data-county="Adair"]').getAttribute('aria-label'), /^Adair: \w+ leads/);

  await page.setViewportSize({ width: 360, height: 780 });
  for (const view of ['reported', 'computed']) await checkView(page, view);
  await page.getByTestId('timeline-chart').waitFor();
  await page.screenshot({ path: path.join(artifacts, 'results-full-360.png'), fullPage: true });
  await assertNoHorizontalOverflow(page, 'results at 360 px');
  await context.close();
});

test('(r2) the precinct page shows the worksheet photo beside the figures, each column\'s side named', { timeout: 180_000 }, async () => {
  await reportAndPublish();
  const id = await precinctId('Adair', '1NW ADAIR');
  for (const width of [1440, 360]) {
    const { context, page } = await newPage(width, 900);
    await page.goto(`${base()}/#/precinct/${id}`);
    const thumb = page.getByTestId('photo-thumb');
    await thumb.waitFor();
    assert.equal(await thumb.getAttribute('src'), `/api/v1/photos/${photo}`);
    await waitFor('the photo to load', async () => (await thumb.evaluate((img) => img.complete && img.naturalWidth)) > 0);
    assert.equal(await page.getByTestId('photo-link').getAttribute('href'), `/api/v1/photos/${photo}`);
    assert.match(await thumb.getAttribute('alt'), /Worksheet photo 1 of Adair \/ 1NW ADAIR/);
    assert.equal((await page.getByTestId('side-reported').textContent()).trim(), 'As reported');
    assert.equal((await page.getByTestId('side-computed').textContent()).trim(), 'As computed');
    assert.equal(await page.getByRole('columnheader', { name: 'County delegates, as reported', exact: true }).count(), 1);
    assert.equal(await page.getByRole('columnheader', { name: 'State delegate equivalents, as the rules compute them', exact: true }).count(), 1);
    if (width === 1440) {
      // Beside the figures: the photo's card starts level with the alignments' card.
      const figures = await page.getByRole('heading', { name: 'Alignments as reported' }).boundingBox();
      const photos = await page.getByRole('heading', { name: 'Worksheet photos' }).boundingBox();
      assert.ok(Math.abs(figures.y - photos.y) < 2 && photos.x > figures.x, JSON.stringify({ figures, photos }));
    }
    await page.screenshot({ path: path.join(artifacts, `precinct-photo-${width}.png`), fullPage: true });
    await assertNoHorizontalOverflow(page, `precinct page at ${width} px`);
    await context.close();
  }
});

test('(r3) the favicon answers 200', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(1440, 900);
  await page.goto(`${base()}/#/`);
  const href = await page.locator('link[rel="icon"]').getAttribute('href');
  const res = await fetch(new URL(href, base()));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^image\/svg\+xml/);
  assert.match(await res.text(), /^<svg /);
  await context.close();
});
