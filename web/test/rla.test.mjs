// The risk-limiting audit in Chromium at 360 and 1440 px, against a real `canvass serve` holding the
// six precincts of web/test/fixtures/audit-apportionment.csv under iowa-dem-2020. Six precincts
// are far too few to sample from, so the audit's answer is a full hand count and every precinct
// may be tallied (docs/audit.md "The audit on the ledger"):
//   (r1) before the start the public page says no audit has been started (the API's 404 no-audit);
//   (r2) the administrator, in the browser: a risk limit of 0 is refused with the API's message,
//        the audit starts at 10%, the seed is entered once, an impossible tally (delegates that do
//        not add up to what the precinct elects) is refused beside the delegates with what was
//        typed kept and nothing written, the corrected tally and a second one from the cards'
//        sorts with a tally-sheet photo go in; the public audit page at both widths shows the
//        decision, U, the risk limit, P, the seed and each tally, every figure equal to
//        GET /api/v1/audit/rla fetched in the same test; no horizontal overflow.
// Every wait is for a condition; nothing sleeps for a fixed time.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { h, here, useServer, waitFor, api, tokenFor, chairCode, precinctId, newPage, loginPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';
import { checkPublicRla, decisionWords, text } from './rla-check.mjs';

const CANDIDATES = ['Biden', 'Buttigieg', 'Klobuchar', 'Sanders', 'Warren'];
useServer({
  initArgs: [
    '--apportionment', path.join(here, 'fixtures/audit-apportionment.csv'),
    '--rules', 'iowa-dem-2020', '--name', 'Audit test',
    ...CANDIDATES.flatMap((c) => ['--candidate', c]),
  ],
});
const base = () => h.base;

// Every precinct's alignment (first = final); each reports the delegates the rules give it.
const REPORTS = [
  { county: 'Adair', name: '1NW ADAIR', final: { Buttigieg: 41, Sanders: 24, Klobuchar: 15 } },
  { county: 'Adair', name: '2NE STUART', final: { Biden: 20, Buttigieg: 30, Sanders: 40 } },
  { county: 'Allamakee', name: 'Pct 01 - WL/HV', final: { Warren: 12, Sanders: 20, Biden: 9 } },
  { county: 'Appanoose', name: 'Vermillion/Douglas/Sharon', final: { Warren: 100, Sanders: 60 } },
  { county: 'Osceola', name: 'Ocheyedan Precinct 0500', final: { Buttigieg: 3, Klobuchar: 1, Sanders: 1 } },
  { county: 'Osceola', name: 'Osceola 3 Precinct 0800', final: { Sanders: 38, Buttigieg: 18, Biden: 10 } },
];
const OCHEYEDAN = REPORTS[4];
const ADAIR = REPORTS[0];
// The smallest PNG header: the server checks a photo's magic bytes, and stores it by its hash.
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('tally sheet, Adair 1NW')]);

async function report(rep, i) {
  const id = await precinctId(rep.county, rep.name);
  const token = await tokenFor(chairCode(rep.county, rep.name));
  const preview = await api('POST', `/api/v1/precincts/${id}/preview`, { token, body: { first: rep.final, final: rep.final } });
  assert.equal(preview.status, 200, preview.text);
  let r = await api('POST', `/api/v1/precincts/${id}/first`, { token, body: { submission: `r-first-${i}`, first: rep.final } });
  assert.equal(r.status, 201, r.text);
  r = await api('POST', `/api/v1/precincts/${id}/final`, { token, body: { submission: `r-final-${i}`, final: rep.final, delegates: preview.json.computed.delegates } });
  assert.equal(r.status, 201, r.text);
}

const seqNow = async () => (await api('GET', '/api/v1/health')).json.seq;

test('(r1) before the start the public page says no audit has been started', { timeout: 60_000 }, async () => {
  const r = await api('GET', '/api/v1/audit/rla');
  assert.equal(r.status, 404, r.text);
  assert.equal(r.json.error.code, 'no-audit');
  for (const width of [360, 1440]) {
    const { context, page } = await newPage(width);
    await page.goto(`${base()}/#/audit`);
    assert.match(await text(page.getByTestId('rla-none')), /^No risk-limiting audit has been started\./);
    await assertNoHorizontalOverflow(page, `audit page at ${width} px`);
    await context.close();
  }
});

test('(r2) the administrator starts the audit, enters the seed and tallies; the public page equals the API', { timeout: 120_000 }, async () => {
  for (const [i, rep] of REPORTS.entries()) await report(rep, i);
  const admin = await tokenFor(h.codes.get('admin:admin'));
  const ocheyedan = await precinctId(OCHEYEDAN.county, OCHEYEDAN.name);
  const adair = await precinctId(ADAIR.county, ADAIR.name);
  {
    const { context, page } = await newPage(1440);
    await loginPage(page, 'admin', h.codes.get('admin:admin'));
    const start = page.getByTestId('rla-start');
    await start.waitFor();
    // A risk limit of 0 is refused with the API's message, and writes nothing.
    let before = await seqNow();
    await page.locator('#rla-risk-limit-input').fill('0');
    await start.getByRole('button', { name: 'Start the audit' }).click();
    const refused = page.getByTestId('rla-start-refusal');
    await refused.waitFor();
    const same = await api('POST', '/api/v1/audit/rla', { token: admin, body: { submission: 'r2-zero', risk_limit: '0' } });
    assert.equal(same.status, 422, same.text);
    assert.equal(await refused.getAttribute('data-code'), same.json.error.code);
    assert.equal(await text(refused), [same.json.error.message, same.json.error.field].filter(Boolean).join(' '));
    assert.equal(await seqNow(), before);
    assert.equal(await page.locator('#rla-risk-limit-input').inputValue(), '0');
    await page.locator('#rla-risk-limit-input').fill('10');
    await start.getByRole('button', { name: 'Start the audit' }).click();

    // The seed, once, after the start.
    const seedForm = page.getByTestId('rla-seed-form');
    await seedForm.waitFor();
    assert.match(await text(seedForm), /seed in public now, after the start/);
    await page.locator('#rla-seed-input').fill('0314159265');
    await seedForm.getByRole('button', { name: 'Enter the seed' }).click();
    await waitFor('the seed to be recorded', async () => (await page.getByTestId('rla-seed-form').count()) === 0);
    let d = (await api('GET', '/api/v1/audit/rla')).json;
    assert.equal(d.started.risk_limit, '10');
    assert.equal(d.seed_event.seed, '0314159265');
    assert.equal(d.decision, 'full_hand_count');
    await waitFor('the decision on the admin page', async () => (await text(page.getByTestId('rla-admin-decision'))).startsWith(`${decisionWords(d)}. Risk limit 10%`));

    // Ocheyedan elects 3: one delegate is an impossible tally, refused beside the delegates.
    const form = page.getByTestId(`rla-tally-${ocheyedan}`);
    await form.waitFor();
    await form.getByLabel('Delegates', { exact: true }).check();
    await page.locator(`#rla-tally-${ocheyedan}-delegates-Buttigieg`).fill('1');
    before = await seqNow();
    await form.getByRole('button', { name: 'Enter the tally' }).click();
    const refusal = form.getByTestId(`rla-tally-${ocheyedan}-refusal`);
    await refusal.waitFor();
    const impossible = await api('POST', '/api/v1/audit/rla/tallies', { token: admin, body: { submission: 'r2-short', precinct: ocheyedan, delegates: { Buttigieg: 1 } } });
    assert.equal(impossible.status, 422, impossible.text);
    assert.equal(impossible.json.error.code, 'delegates-total');
    assert.equal(await refusal.getAttribute('data-code'), 'delegates-total');
    assert.equal(await refusal.getAttribute('data-field'), impossible.json.error.field);
    assert.equal(await text(refusal), `${impossible.json.error.message} ${impossible.json.error.field}`);
    assert.equal(await seqNow(), before, 'a refused tally wrote something');
    assert.equal(await page.locator(`#rla-tally-${ocheyedan}-delegates-Buttigieg`).inputValue(), '1');
    await form.screenshot({ path: path.join(artifacts, 'rla-admin-refused-1440.png') });
    await page.locator(`#rla-tally-${ocheyedan}-delegates-Klobuchar`).fill('1');
    await page.locator(`#rla-tally-${ocheyedan}-delegates-Sanders`).fill('1');
    await form.getByRole('button', { name: 'Enter the tally' }).click();
    await waitFor('the tally to be entered', async () => (await page.getByTestId(`rla-tally-${ocheyedan}`).count()) === 0);
    d = (await api('GET', '/api/v1/audit/rla')).json;
    assert.deepEqual(d.tallies.map((t) => [t.precinct, t.delegates]), [[ocheyedan, { Buttigieg: 1, Klobuchar: 1, Sanders: 1 }]]);
    await assertNoHorizontalOverflow(page, 'admin page at 1440 px');
    await context.close();
  }
  {
    // At 360 px: Adair 1NW from the cards' sorts, with the tally sheet's photo.
    const { context, page } = await newPage(360);
    await loginPage(page, 'admin', h.codes.get('admin:admin'));
    const t = `rla-tally-${adair}`;
    const form = page.getByTestId(t);
    await form.waitFor();
    await page.locator(`#${t}-cards`).fill('80');
    for (const [c, n] of Object.entries(ADAIR.final)) {
      await page.locator(`#${t}-first-${c}`).fill(String(n));
      await page.locator(`#${t}-final-${c}`).fill(String(n));
    }
    await page.locator(`#${t}-photo`).setInputFiles({ name: 'sheet.png', mimeType: 'image/png', buffer: PNG });
    const hash = createHash('sha256').update(PNG).digest('hex');
    await waitFor('the photo hash', async () => (await text(page.getByTestId(`${t}-photo-hash`))).includes(hash));
    await assertNoHorizontalOverflow(page, 'admin page at 360 px');
    await form.screenshot({ path: path.join(artifacts, 'rla-admin-sorts-360.png') });
    await form.getByRole('button', { name: 'Enter the tally' }).click();
    await waitFor('the tally to be entered', async () => (await page.getByTestId(t).count()) === 0);
    const d = (await api('GET', '/api/v1/audit/rla')).json;
    const tally = d.tallies.find((x) => x.precinct === adair);
    assert.equal(tally.cards, 80);
    assert.equal(tally.photo, hash);
    assert.deepEqual(tally.first, ADAIR.final);
    // The delegates are the rules' (the engine computes them from the sorts).
    assert.deepEqual(tally.delegates, tally.reported.delegates);
    await context.close();
  }
  for (const width of [1440, 360]) {
    const { context, page } = await newPage(width);
    const d = await checkPublicRla(page, width, CANDIDATES, 'rla-public');
    assert.equal(d.tallies.length, 2);
    await context.close();
  }
});
