// The anomaly gate's holds on the administrator's page, in Chromium at 360 and 1440 px, against a
// real `canvass serve` holding the six precincts of web/test/fixtures/audit-apportionment.csv
// (docs/audit.md "Anomaly gate"):
//   (g1) before anything is reported the page says plainly that nothing is held, and the "needs
//        action" list counts 0;
//   (g2) Adair 1NW and 2NE Stuart report the same 90 people in both alignments, so both are held
//        (the duplicate check, more than 10 attendees); the page lists both with the check, score,
//        threshold, detail and revision of GET /api/v1/holds fetched in the test, and counts them;
//        an override without a reason is refused beside the field with the API's own message and
//        writes nothing; a report corrected while a reason is being typed is refused as a stale
//        revision, the reason kept; then the override is recorded, the precinct moves to the
//        overrides in force (who, when, why) and the page equals GET /api/v1/holds again;
//   (g3) at 360 px the same held and overridden precincts, without horizontal overflow.
// Every wait is for a condition; nothing sleeps for a fixed time.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { h, here, useServer, waitFor, api, tokenFor, chairCode, precinctId, newPage, loginPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';
import { text } from './rla-check.mjs';

const CANDIDATES = ['Biden', 'Buttigieg', 'Klobuchar', 'Sanders', 'Warren'];
useServer({
  initArgs: [
    '--apportionment', path.join(here, 'fixtures/audit-apportionment.csv'),
    '--rules', 'iowa-dem-2020', '--name', 'Holds test',
    ...CANDIDATES.flatMap((c) => ['--candidate', c]),
  ],
});

const SAME = { Biden: 20, Buttigieg: 30, Sanders: 40 }; // 90 attendees, in both precincts
const ADAIR = ['Adair', '1NW ADAIR'];
const STUART = ['Adair', '2NE STUART'];
const OTHER = ['Allamakee', 'Pct 01 - WL/HV'];
const REASON = 'the worksheet is the legal record';

const seqNow = async () => (await api('GET', '/api/v1/health')).json.seq;

async function report([county, name], figures, tag) {
  const id = await precinctId(county, name);
  const token = await tokenFor(chairCode(county, name));
  let r = await api('POST', `/api/v1/precincts/${id}/first`, { token, body: { submission: `${tag}-first`, first: figures } });
  assert.equal(r.status, 201, r.text);
  r = await api('POST', `/api/v1/precincts/${id}/final`, { token, body: { submission: `${tag}-final`, final: figures } });
  assert.equal(r.status, 201, r.text);
  return id;
}

// One hold as the page shows it: each fact by its data-col.
async function shown(item) {
  const out = {};
  for (const col of ['precinct', 'revision', 'check', 'score', 'threshold', 'detail']) out[col] = await text(item.locator(`[data-col="${col}"]`));
  out.href = await item.locator('a[data-col="precinct"]').getAttribute('href');
  return out;
}
const expected = (x) => ({
  precinct: `${x.county} / ${x.name}`,
  revision: String(x.revision),
  check: x.check,
  score: x.score,
  threshold: x.threshold,
  detail: x.detail,
  href: `#/precinct/${x.precinct}`,
});

// The page's held and overridden precincts equal GET /api/v1/holds, in its order.
async function checkAgainstApi(page, admin) {
  const q = (await api('GET', '/api/v1/holds', { token: admin })).json;
  const section = page.getByTestId('holds');
  await waitFor('the page to show the ledger position of the API', async () => (await text(section.getByTestId('holds-ledger-seq'))) === String(q.ledger_seq));
  const forms = section.locator('form[data-precinct]');
  assert.equal(await forms.count(), q.held.length);
  for (const [i, x] of q.held.entries()) {
    const form = forms.nth(i);
    assert.equal(await form.getAttribute('data-testid'), `hold-${x.precinct}-${x.check}`);
    assert.deepEqual(await shown(form), expected(x));
  }
  if (q.held.length === 0) await section.getByTestId('holds-none').waitFor();
  const rows = section.getByTestId('overrides').locator('[data-precinct]');
  assert.equal(await rows.count(), q.overrides.length);
  for (const [i, x] of q.overrides.entries()) {
    const row = rows.nth(i);
    assert.deepEqual(await shown(row), expected(x));
    assert.equal(await text(row.locator('[data-col="by"]')), x.override.by);
    assert.equal(await text(row.locator('[data-col="time"]')), x.override.time);
    assert.equal(await text(row.locator('[data-col="reason"]')), x.override.reason);
  }
  assert.equal(await text(page.getByTestId('count-holds')), String(q.held.length));
  return q;
}

test('(g1) nothing reported: the page says nothing is held', { timeout: 30_000 }, async () => {
  const admin = await tokenFor(h.codes.get('admin:admin'));
  const q = (await api('GET', '/api/v1/holds', { token: admin })).json;
  assert.deepEqual([q.held, q.overrides], [[], []]);
  const { context, page } = await newPage(1440);
  await loginPage(page, 'admin', h.codes.get('admin:admin'));
  assert.match(await text(page.getByTestId('holds-none')), /^Nothing is held/);
  await checkAgainstApi(page, admin);
  await context.close();
});

test('(g2) two precincts with the same figures are held; a refused override, a stale one, then one recorded', { timeout: 60_000 }, async () => {
  const adair = await report(ADAIR, SAME, 'adair');
  const stuart = await report(STUART, SAME, 'stuart');
  await report(OTHER, { Warren: 12, Sanders: 20, Biden: 9 }, 'other');
  const admin = await tokenFor(h.codes.get('admin:admin'));
  let q = (await api('GET', '/api/v1/holds', { token: admin })).json;
  assert.deepEqual(q.held.map((x) => [x.precinct, x.check, x.score]), [[adair, 'duplicate', '90 attendees'], [stuart, 'duplicate', '90 attendees']]);

  const { context, page } = await newPage(1440);
  await loginPage(page, 'admin', h.codes.get('admin:admin'));
  const section = page.getByTestId('holds');
  await section.getByTestId(`hold-${stuart}-duplicate`).waitFor();
  await checkAgainstApi(page, admin);
  await page.getByTestId('count-holds').click(); // the "needs action" link leads to the section
  await waitFor('the section in view', async () => (await page.locator('#holds-h').boundingBox())?.y < 900);

  // No reason: refused beside the field with the API's message; nothing written.
  const form = section.getByTestId(`hold-${adair}-duplicate`);
  const reason = page.locator(`#hold-${adair}-duplicate-reason`);
  let before = await seqNow();
  await form.getByRole('button', { name: 'Publish revision 1 as reported' }).click();
  let refusal = form.getByTestId(`hold-${adair}-duplicate-refusal`);
  await refusal.waitFor();
  const same = await api('POST', '/api/v1/holds', { token: admin, body: { submission: 'g2-no-reason', precinct: adair, check: 'duplicate', reason: '', revision: 1 } });
  assert.equal(same.status, 422, same.text);
  assert.equal(same.json.error.code, 'reason-required');
  assert.equal(await refusal.getAttribute('data-code'), 'reason-required');
  assert.equal(await refusal.getAttribute('data-field'), 'reason');
  assert.equal(await text(refusal), `${same.json.error.message} ${same.json.error.field}`);
  assert.equal(await reason.getAttribute('aria-invalid'), 'true');
  assert.equal(await seqNow(), before, 'a refused override wrote something');

  // The reason is typed on revision 1; the chair then corrects the delegates, figures unchanged,
  // so revision 2 is held for the same check. The override, sent for revision 1, is stale.
  await reason.fill(REASON);
  const preview = await api('POST', `/api/v1/precincts/${adair}/preview`, { token: admin, body: { first: SAME, final: SAME } });
  assert.equal(preview.status, 200, preview.text);
  const corrected = await api('POST', `/api/v1/precincts/${adair}/corrections`, {
    token: await tokenFor(chairCode(...ADAIR)),
    body: { submission: 'g2-correct', reason: 'the delegates were left off', delegates: preview.json.computed.delegates },
  });
  assert.equal(corrected.status, 201, corrected.text);
  await waitFor('revision 2 on the page', async () => (await text(form.locator('[data-col="revision"]'))) === '2');
  assert.match(await text(form.locator('.alert.warn')), /begun on revision 1; the precinct is now at revision 2/);
  before = await seqNow();
  await form.getByRole('button', { name: 'Publish revision 1 as reported' }).click();
  await waitFor('the stale refusal', async () => (await refusal.getAttribute('data-code')) === 'stale-revision');
  const stale = await api('POST', '/api/v1/holds', { token: admin, body: { submission: 'g2-stale', precinct: adair, check: 'duplicate', reason: REASON, revision: 1 } });
  assert.equal(stale.status, 409, stale.text);
  assert.equal(await text(refusal), `${stale.json.error.message} ${stale.json.error.field}`);
  assert.equal(await seqNow(), before, 'a stale override wrote something');
  assert.equal(await reason.inputValue(), REASON, 'the reason typed was lost');
  await form.screenshot({ path: path.join(artifacts, 'holds-refused-1440.png') });

  // Sent again for the revision now shown: recorded.
  await form.getByRole('button', { name: 'Publish revision 2 as reported' }).click();
  await waitFor('the override to be recorded', async () => (await section.getByTestId(`hold-${adair}-duplicate`).count()) === 0);
  assert.match(await text(section.getByTestId('holds-done')), new RegExp(`^Adair / 1NW ADAIR, revision 2, is published as reported \\(ledger event ${before + 1}\\)\\.$`));
  q = await waitFor('the overrides list', async () => {
    const now = (await api('GET', '/api/v1/holds', { token: admin })).json;
    return (await text(section.getByTestId('holds-ledger-seq'))) === String(now.ledger_seq) && now;
  });
  assert.deepEqual(q.held.map((x) => x.precinct), [stuart]);
  assert.deepEqual(q.overrides.map((x) => [x.precinct, x.revision, x.override.reason, x.override.seq]), [[adair, 2, REASON, before + 1]]);
  await checkAgainstApi(page, admin);
  await assertNoHorizontalOverflow(page, 'admin page at 1440 px');
  await section.screenshot({ path: path.join(artifacts, 'holds-1440.png') });
  await context.close();
});

test('(g3) at 360 px: the held and overridden precincts as the API has them', { timeout: 30_000 }, async () => {
  const admin = await tokenFor(h.codes.get('admin:admin'));
  const { context, page } = await newPage(360);
  await loginPage(page, 'admin', h.codes.get('admin:admin'));
  await page.getByTestId('overrides').waitFor();
  const q = await checkAgainstApi(page, admin);
  assert.equal(q.held.length, 1);
  assert.equal(q.overrides.length, 1);
  await assertNoHorizontalOverflow(page, 'admin page at 360 px');
  await page.getByTestId('holds').screenshot({ path: path.join(artifacts, 'holds-360.png') });
  await context.close();
});

// (g4) The public results page counts what the next release counts: the precinct still held after
// (g2) is in no figure, and the page says so, each number equal to GET /api/v1/results.
test('(g4) the results page leaves the held precinct out and says how many are held', { timeout: 30_000 }, async () => {
  const results = (await api('GET', '/api/v1/results')).json;
  assert.equal(results.reporting.held, 1);
  const stuart = await precinctId(...STUART);
  assert.ok(!results.reporting.in.includes(stuart), 'a held precinct is counted');
  const { context, page } = await newPage(360);
  await page.goto(`${h.base}/#/`);
  await waitFor('the results page at the API ledger position', async () => (await page.getByTestId('ledger-seq').count()) > 0 && (await text(page.getByTestId('ledger-seq'))) === String(results.ledger.seq));
  assert.equal(await text(page.getByTestId('held')), String(results.reporting.held));
  assert.equal(await text(page.getByTestId('reported')), String(results.reporting.included));
  assert.equal(await text(page.getByTestId('complete')), String(results.reporting.complete));
  assert.match(await text(page.getByTestId('held-note')), /^1 precinct is held back: its report failed a check/);
  await assertNoHorizontalOverflow(page, 'results page at 360 px');
  await context.close();
});
