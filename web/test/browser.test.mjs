// The pages in a real browser (Debian's headless Chromium through playwright-core) against a real
// `canvass serve` on a temporary store holding the Iowa 2020 demo election:
//   (a) a chair reports a precinct whose final alignment ties, settles the tie and confirms;
//   (b) the public results page updates without a reload when a report arrives;
//   (c) two operators' different entries land in the reconciliation queue;
//   (d) a report made offline is kept, and sent exactly once when the network returns;
//   (f) a chair sends a practice report, and the admin page counts it.
// Every wait is for a condition, with a generous timeout; nothing sleeps for a fixed time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import {
  h, useServer, waitFor, api, tokenFor, ledgerSince, chairCode, precinctId, newPage, loginPage,
  assertNoHorizontalOverflow, artifacts, root, WAIT,
} from './harness.mjs';

const ready = useServer();
let base;
let browser;
let codes;
let startSeq;
before(async () => {
  await ready;
  ({ base, browser, codes, startSeq } = h);
});

test('(a) a chair reports a tied precinct, settles the tie and confirms, at 360 px', { timeout: 180_000 }, async () => {
  // Vermillion/Douglas/Sharon (Appanoose) elects 6 delegates: 100/50/50 among three viable groups
  // gives raw 3, 1.5, 1.5 and rounds to 7, so Biden and Sanders tie for the last delegate.
  const county = 'Appanoose';
  const name = 'Vermillion/Douglas/Sharon';
  const id = await precinctId(county, name);
  const { context, page } = await newPage(360, 780);
  await loginPage(page, 'chair', chairCode(county, name));
  await page.getByRole('heading', { name: `${county} / ${name}` }).waitFor();
  assert.equal((await page.getByTestId('fact-delegates').textContent()).trim(), '6');
  assert.match(await page.getByTestId('fact-threshold').textContent(), /15%/);

  await page.locator('#first-Warren').fill('100');
  await page.locator('#first-Sanders').fill('50');
  await page.locator('#first-Biden').fill('50');
  // The server's worksheet, as the chair types: T and the threshold head count.
  await waitFor('the first alignment preview', async () => (await page.getByTestId('ws-attendance').textContent()) === '200');
  assert.equal(await page.getByTestId('ws-threshold-head-count').textContent(), '30 people');
  assert.equal(await page.getByTestId('ws-viable').textContent(), 'Biden, Sanders, Warren');
  await page.getByRole('button', { name: 'Review first alignment' }).click();
  await page.getByRole('button', { name: 'Send', exact: true }).click();

  // Final alignment: the boxes start from the first alignment; the preview shows the tie.
  await page.getByRole('heading', { name: '2. Final alignment' }).waitFor();
  await waitFor('the final boxes to be filled', async () => (await page.locator('#final-Warren').inputValue()) === '100');
  await page.getByTestId('ws-tie').waitFor();
  assert.match(await page.getByTestId('ws-tie').textContent(), /Biden and Sanders/);
  assert.match(await page.getByTestId('ws-notes').textContent(), /rounded total 7 for 6 delegates/);
  assert.match(await page.locator('tr[data-group-notes="Warren"]').textContent(), /raw 100 x 6 \/ 200 = 3/);
  await page.locator('#delegates-Warren').fill('3');
  await page.locator('#delegates-Sanders').fill('2');
  await page.locator('#delegates-Biden').fill('1');
  await waitFor('the worksheet delegates in the preview', async () =>
    /allocation-is-tie-outcome/.test((await page.getByTestId('ws-findings').textContent()) ?? ''));
  await page.screenshot({ path: path.join(artifacts, 'chair-worksheet-360.png'), fullPage: true });
  await page.locator('.worksheet-card').screenshot({ path: path.join(artifacts, 'chair-worksheet-card-360.png') });
  await assertNoHorizontalOverflow(page, 'chair worksheet at 360 px');
  await page.getByRole('button', { name: 'Review final alignment' }).click();
  await page.getByRole('button', { name: 'Send', exact: true }).click();

  // The tie: Sanders called heads; heads.
  await page.getByRole('heading', { name: '3. Settle the tie' }).waitFor();
  await page.getByRole('checkbox', { name: 'Sanders' }).check();
  await page.getByLabel('What happened (who called what, the result)').fill('coin toss: Sanders called heads; heads');
  await page.getByRole('button', { name: 'Record the tie outcome' }).click();

  await page.getByRole('heading', { name: '4. Review and confirm' }).waitFor();
  // The worksheet photo, as the phone's camera would give it (the server checks the magic bytes).
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('a worksheet photo')]);
  await page.locator('#photo').setInputFiles({ name: 'worksheet.png', mimeType: 'image/png', buffer: png });
  await page.getByTestId('photos').waitFor();
  await page.getByRole('button', { name: 'Confirm this report' }).click();
  await page.getByTestId('confirmed').waitFor();
  await page.screenshot({ path: path.join(artifacts, 'chair-confirmed-360.png'), fullPage: true });

  const p = (await api('GET', `/api/v1/precincts/${id}`)).json;
  assert.equal(p.status, 'confirmed');
  assert.deepEqual(p.computed.delegates, { Biden: 1, Sanders: 2, Warren: 3 });
  assert.deepEqual(p.ties.recorded[0].favoured, ['Sanders']);
  assert.equal(p.channel, 'web');
  assert.equal(p.photos.length, 1);
  await context.close();
});

test('(b) the public results page updates without a reload when a report arrives', { timeout: 180_000 }, async () => {
  const { context, page } = await newPage(1440, 1000);
  await page.goto(`${base}/#/`);
  await page.getByTestId('totals').waitFor();
  await waitFor('the event stream', async () => (await page.getByTestId('live').textContent()) === 'Live');
  const before = Number(await page.getByTestId('complete').textContent());
  const klobuchar = Number((await page.getByTestId('final-Klobuchar').textContent()).replace(/,/g, ''));
  assert.equal(await page.locator('[data-testid="county-map"] path').count(), 99);
  let navigations = 0;
  page.on('framenavigated', () => navigations++);

  // A report through the API, as another chair's phone would send it.
  const county = 'Adair';
  const name = '1NW ADAIR';
  const id = await precinctId(county, name);
  const token = await tokenFor(chairCode(county, name));
  const figures = { Buttigieg: 30, Klobuchar: 25, Sanders: 20, Warren: 5 };
  let r = await api('POST', `/api/v1/precincts/${id}/first`, { token, body: { submission: 'b-first', first: figures } });
  assert.equal(r.status, 201, r.text);
  r = await api('POST', `/api/v1/precincts/${id}/final`, {
    token, body: { submission: 'b-final', final: { Buttigieg: 33, Klobuchar: 27, Sanders: 20 } },
  });
  assert.equal(r.status, 201, r.text);

  await waitFor('the completed count to change', async () => Number(await page.getByTestId('complete').textContent()) === before + 1);
  await waitFor('Klobuchar\'s final alignment to change', async () =>
    Number((await page.getByTestId('final-Klobuchar').textContent()).replace(/,/g, '')) === klobuchar + 27);
  await waitFor('Adair on the map', async () => (await page.locator('path[data-county="Adair"]').getAttribute('fill')) !== '#e8e8e8');
  await page.getByRole('link', { name: `${county} / ${name}` }).waitFor();
  assert.equal(navigations, 0, 'the page reloaded');
  // Every number links to where it came from (no releases here: the ledger position).
  const href = await page.getByTestId('complete').getAttribute('href');
  assert.match(href, /^\/api\/v1\/(ledger\?after=\d+&limit=1|releases\/)/);

  await page.screenshot({ path: path.join(artifacts, 'results-1440.png'), fullPage: true });
  await assertNoHorizontalOverflow(page, 'results at 1440 px');
  await page.setViewportSize({ width: 360, height: 780 });
  await page.screenshot({ path: path.join(artifacts, 'results-360.png'), fullPage: true });
  await assertNoHorizontalOverflow(page, 'results at 360 px');

  // The precinct's own page: both alignments, the allocation and its history.
  await page.getByRole('link', { name: `${county} / ${name}` }).click();
  await page.getByRole('heading', { name: 'History (ledger events)' }).waitFor();
  await waitFor('the history', async () => (await page.locator('.history li').count()) === 2);
  await page.getByRole('heading', { name: 'Allocation as the rules compute it' }).waitFor();
  await page.screenshot({ path: path.join(artifacts, 'precinct-360.png'), fullPage: true });
  await context.close();
});

test('(c) two operators enter different figures: the precinct lands in reconciliation', { timeout: 180_000 }, async () => {
  const county = 'Adair';
  const name = '2NE STUART';
  const id = await precinctId(county, name);
  const enter = async (operator, biden) => {
    const { context, page } = await newPage(1024, 900);
    await loginPage(page, 'operator', codes.get(`operator:${operator}`));
    await page.getByRole('heading', { name: 'Hotline entry' }).waitFor();
    await page.getByLabel('Find the precinct (number, county or name)').fill('STUART');
    await waitFor('the precinct in the picker', async () => (await page.locator(`#precinct-select option[value="${id}"]`).count()) === 1);
    await page.getByLabel('Precinct', { exact: true }).selectOption(String(id));
    await page.getByRole('radio', { name: 'First alignment' }).check();
    await page.locator('#hotline-Biden').fill(String(biden));
    await page.locator('#hotline-Warren').fill('40');
    await page.getByRole('button', { name: 'Enter' }).click();
    const answer = await waitFor('the hotline answer', async () => (await page.getByTestId('hotline-answer').getAttribute('data-hotline')) || null);
    return { context, page, answer };
  };
  const one = await enter('op-1', 31);
  assert.equal(one.answer, 'waiting');
  await one.context.close();
  const two = await enter('op-2', 13);
  assert.equal(two.answer, 'mismatch');
  await two.page.locator(`[data-testid="reconciliation"] li[data-precinct="${id}"]`).waitFor();
  const text = await two.page.locator(`li[data-precinct="${id}"]`).textContent();
  assert.match(text, /Biden 31/);
  assert.match(text, /Biden 13/);
  await two.page.screenshot({ path: path.join(artifacts, 'operator-1024.png'), fullPage: true });
  await two.context.close();

  const admin = await tokenFor(codes.get('admin:admin'));
  const q = (await api('GET', '/api/v1/hotline/reconciliation', { token: admin })).json.queue;
  assert.ok(q.some((e) => e.precinct === id && e.stage === 'first'));
  assert.equal((await api('GET', `/api/v1/precincts/${id}`)).json.status, 'not-reported');
});

test('(d) offline: the report is kept and sent exactly once when the network returns', { timeout: 180_000 }, async () => {
  const county = 'Adair';
  const name = '3SW FONTANELLE';
  const id = await precinctId(county, name);
  const { context, page } = await newPage(360, 780);
  await loginPage(page, 'chair', chairCode(county, name));
  await page.getByRole('heading', { name: `${county} / ${name}` }).waitFor();
  // Biden's 4 are not viable and realign: 2 to Buttigieg, 2 to Sanders.
  await page.locator('#first-Biden').fill('4');
  await page.locator('#first-Buttigieg').fill('20');
  await page.locator('#first-Sanders').fill('17');
  await waitFor('the preview', async () => (await page.getByTestId('ws-attendance').textContent()) === '41');

  await context.setOffline(true);
  await page.getByRole('button', { name: 'Review first alignment' }).click();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await waitFor('the outbox to show the waiting report', async () =>
    /no network/.test((await page.locator('[data-outbox="waiting"]').textContent()) ?? ''));
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('canvass.outbox') ?? '[]'));
  assert.equal(kept.length, 1);
  const submission = kept[0].submission;
  assert.ok(submission);
  await page.screenshot({ path: path.join(artifacts, 'chair-offline-360.png'), fullPage: true });
  const firstOf = (lines) => lines.filter((e) => e.type === 'first-alignment-reported' && e.payload.precinct === id);
  assert.equal(firstOf(await ledgerSince(startSeq)).length, 0, 'sent while offline');

  await context.setOffline(false);
  await page.locator('[data-outbox="empty"]').waitFor();
  await page.getByRole('heading', { name: '2. Final alignment' }).waitFor();
  let got = firstOf(await ledgerSince(startSeq));
  assert.equal(got.length, 1);
  assert.equal(got[0].payload.submission, submission);

  // The answer lost on the way back: the request reached the server, the phone saw an error and
  // sends it again with the same submission id; the ledger still holds it once.
  let dropped = 0;
  await page.route(`**/api/v1/precincts/${id}/final`, async (route) => {
    if (dropped === 0) {
      dropped++;
      await route.fetch();
      await route.abort('internetdisconnected');
    } else {
      await route.continue();
    }
  });
  await waitFor('the final boxes', async () => (await page.locator('#final-Buttigieg').inputValue()) === '20');
  await page.locator('#final-Biden').fill('');
  await page.locator('#final-Buttigieg').fill('22');
  await page.locator('#final-Sanders').fill('19');
  await waitFor('the final preview', async () => (await page.getByTestId('ws-delegates-Buttigieg').count()) === 1);
  await page.getByRole('button', { name: 'Review final alignment' }).click();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('[data-outbox="empty"]').waitFor();
  await waitFor('the report', async () => (await api('GET', `/api/v1/precincts/${id}`)).json.status === 'final-reported');
  assert.equal(dropped, 1);
  const finals = (await ledgerSince(startSeq)).filter((e) => e.type === 'final-alignment-reported' && e.payload.precinct === id);
  assert.equal(finals.length, 1);
  got = firstOf(await ledgerSince(startSeq));
  assert.equal(got.length, 1);
  await context.close();
});

test('(e) a campaign disputes a report; the admin sees readiness, the findings queue and the releases; numbers link to the latest release', { timeout: 180_000 }, async () => {
  const county = 'Adair';
  const name = '1NW ADAIR'; // reported in (b)
  const id = await precinctId(county, name);
  const c = await newPage(1024, 900);
  await loginPage(c.page, 'campaign', codes.get('campaign:Klobuchar'));
  await c.page.getByLabel('Filter by county or precinct').fill('1NW');
  await c.page.getByRole('button', { name: `${county} / ${name}` }).click();
  await c.page.getByLabel('Reason (required to dispute)').fill('our observer counted 29 at the final alignment');
  await c.page.getByRole('button', { name: 'Dispute' }).click();
  await c.page.getByText('Dispute recorded.').waitFor();
  await c.context.close();
  const p = (await api('GET', `/api/v1/precincts/${id}`)).json;
  assert.equal(p.disputed, true);
  assert.equal(p.attestations[0].campaign, 'Klobuchar');

  const a = await newPage(1440, 1000);
  await loginPage(a.page, 'admin', codes.get('admin:admin'));
  await waitFor('readiness', async () => /^\d+ of 1765 chairs have logged in$/.test((await a.page.getByTestId('chairs-logged-in').textContent()) ?? ''));
  const logged = Number((await a.page.getByTestId('chairs-logged-in').textContent()).split(' ')[0]);
  assert.ok(logged >= 3, `${logged} chairs logged in`);
  await a.page.locator('[data-testid="findings-queue"]').getByRole('link', { name: `${county} / ${name}` }).waitFor();
  // Releases: listed when the server publishes them, and a 404 is no error.
  const releases = await api('GET', '/api/v1/releases');
  if (releases.status === 404) await a.page.getByTestId('no-releases').waitFor();
  else await a.page.getByRole('heading', { name: 'Releases' }).waitFor();
  await a.page.screenshot({ path: path.join(artifacts, 'admin-1440.png'), fullPage: true });
  if (releases.status === 200) {
    // Publish now; the results' numbers then link to that release.
    const token = await tokenFor(codes.get('admin:admin'));
    const pub = await api('POST', '/api/v1/releases', { token, body: {} });
    assert.ok(pub.status === 201 || pub.status === 200, pub.text);
    const index = (await api('GET', '/api/v1/releases')).json;
    const r = await newPage(1440, 1000);
    await r.page.goto(`${base}/#/`);
    await waitFor('a link to the release', async () =>
      (await r.page.getByTestId('complete').getAttribute('href')) === `/api/v1/releases/${index.latest}`);
    await r.context.close();
  }
  await assertNoHorizontalOverflow(a.page, 'admin at 1440 px');
  await a.context.close();
});

test('(f) a chair sends a practice report before the night; the admin page shows it', { timeout: 180_000 }, async () => {
  const county = 'Adair';
  const name = '4SE ORIENT';
  const listed = (await api('GET', '/api/v1/precincts')).json.precincts;
  const target = listed.find((x) => x.county === county && x.precinct === name);
  assert.ok(target && target.status === 'not-reported', `${county} / ${name} is not there, or reported`);
  const id = target.id;
  const before = (await ledgerSince(startSeq)).length;
  const c = await newPage(360, 780);
  await loginPage(c.page, 'chair', chairCode(target.county, target.precinct));
  await c.page.getByRole('heading', { name: `${target.county} / ${target.precinct}` }).waitFor();
  await c.page.locator('#first-Biden').fill('20');
  await c.page.locator('#first-Sanders').fill('10');
  await waitFor('the preview', async () => (await c.page.getByTestId('ws-attendance').textContent()) === '30');
  await c.page.getByRole('button', { name: 'Send a practice report' }).click();
  await c.page.getByText(/Practice report received/).waitFor();
  await c.page.screenshot({ path: path.join(artifacts, 'chair-practice-360.png'), fullPage: true });
  await c.context.close();
  const added = (await ledgerSince(startSeq)).slice(before);
  // The chair's first login is on the ledger too (session-opened, for readiness), then the report.
  assert.deepEqual(added.map((e) => e.type), ['session-opened', 'practice-report']);
  assert.equal(added[0].actor.role, 'chair');
  assert.equal(added[1].payload.precinct, id);
  assert.equal((await api('GET', `/api/v1/precincts/${id}`)).json.status, 'not-reported');

  const a = await newPage(1440, 1000);
  await loginPage(a.page, 'admin', codes.get('admin:admin'));
  await waitFor('the practice total', async () =>
    /^[1-9]\d* of 1765 chairs have sent a practice report$/.test((await a.page.getByTestId('chairs-practised').textContent()) ?? ''));
  await a.page.getByRole('radio', { name: 'Ready (both)' }).check();
  const row = a.page.locator(`[data-testid="readiness"] tr[data-precinct="${id}"]`);
  await row.waitFor();
  assert.equal((await row.locator('[data-col="practice"]').textContent()).trim(), '1');
  assert.equal((await row.locator('[data-col="logged-in"]').textContent()).trim(), 'yes');
  await a.page.screenshot({ path: path.join(artifacts, 'admin-readiness-1440.png'), fullPage: true });
  await a.context.close();
});
