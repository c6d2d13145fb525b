// After the night, in Chromium at 360 and 1440 px, against a real `canvass serve` holding a small
// election of its own (web/test/fixtures/audit-apportionment.csv: six precincts of the 2020 Iowa
// apportionment, one per congressional district and two in Osceola, under iowa-dem-2020), so that
// every precinct reports and a complete release opens requests in a few seconds:
//   (a1) before any complete release, a campaign's request is refused with the API's reason and
//        writes nothing; the audit page says requests are not open yet; no horizontal overflow.
//   (a2) the whole recanvass in the browser: the campaign's claim the engine refuses (a final
//        alignment larger than the attendance) shows the API's message next to the claims it
//        names, keeps what was typed and writes nothing; the corrected request is filed; the
//        administrator accepts it and enters Ocheyedan's worksheet (reported 2-1-0 where the rules
//        give 1-1-1); the public audit page shows the rule-misapplication layer and the correction
//        with the ledger position of each step, every number equal to GET /api/v1/audit and
//        /api/v1/audit/materiality; no horizontal overflow.
// Every wait is for a condition; nothing sleeps for a fixed time.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { h, here, useServer, waitFor, api, tokenFor, chairCode, precinctId, newPage, loginPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';

const CANDIDATES = ['Biden', 'Buttigieg', 'Klobuchar', 'Sanders', 'Warren'];
useServer({
  initArgs: [
    '--apportionment', path.join(here, 'fixtures/audit-apportionment.csv'),
    '--rules', 'iowa-dem-2020', '--name', 'Audit test',
    ...CANDIDATES.flatMap((c) => ['--candidate', c]),
  ],
});
const base = () => h.base;

const OCHEYEDAN = { county: 'Osceola', name: 'Ocheyedan Precinct 0500' };
// Every precinct's final alignment (no ties); the others report the delegates the rules give them.
const REPORTS = [
  { county: 'Adair', name: '1NW ADAIR', final: { Buttigieg: 41, Sanders: 24, Klobuchar: 15 } },
  { county: 'Adair', name: '2NE STUART', final: { Biden: 20, Buttigieg: 30, Sanders: 40 } },
  { county: 'Allamakee', name: 'Pct 01 - WL/HV', final: { Warren: 12, Sanders: 20, Biden: 9 } },
  { county: 'Appanoose', name: 'Vermillion/Douglas/Sharon', final: { Warren: 100, Sanders: 60 } },
  { county: 'Osceola', name: 'Osceola 3 Precinct 0800', final: { Sanders: 38, Buttigieg: 18, Biden: 10 } },
];
// Ocheyedan as the party published it on 8 February.
const OCHEYEDAN_FINAL = { Buttigieg: 3, Klobuchar: 1, Sanders: 1 };
const OCHEYEDAN_REPORTED = { Buttigieg: 2, Klobuchar: 1 };

async function report(rep, delegates, i) {
  const id = await precinctId(rep.county, rep.name);
  const token = await tokenFor(chairCode(rep.county, rep.name));
  let r = await api('POST', `/api/v1/precincts/${id}/first`, { token, body: { submission: `a-first-${i}`, first: rep.final } });
  assert.equal(r.status, 201, r.text);
  r = await api('POST', `/api/v1/precincts/${id}/final`, { token, body: { submission: `a-final-${i}`, final: rep.final, delegates } });
  assert.equal(r.status, 201, r.text);
}

// The delegates the rules give these figures (the server's preview: nothing is written).
async function rulesDelegates(rep) {
  const id = await precinctId(rep.county, rep.name);
  const token = await tokenFor(chairCode(rep.county, rep.name));
  const r = await api('POST', `/api/v1/precincts/${id}/preview`, { token, body: { first: rep.final, final: rep.final } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.computed?.complete, true, `${rep.name}: ${r.text}`);
  return r.json.computed.delegates;
}

const seqNow = async () => (await api('GET', '/api/v1/health')).json.seq;
const text = async (loc) => (await loc.textContent()).replace(/\s+/g, ' ').trim();
const figures = (f) => CANDIDATES.filter((c) => (f?.[c] ?? 0) !== 0).map((c) => `${c} ${f[c]}`).join(', ');

async function campaignPage(width) {
  const { context, page } = await newPage(width);
  await loginPage(page, 'campaign', h.codes.get('campaign:Sanders'));
  await page.getByRole('heading', { name: 'Request a recanvass or recount' }).waitFor();
  return { context, page };
}

async function addPrecinct(page, county, name) {
  await page.locator('#req-search').fill(name);
  await page.getByRole('button', { name: `Add ${county} / ${name}` }).click();
}

// The audit page's figures equal the API's: settings, each request, claim, decision, entry, layer
// and correction, and the materiality list.
async function checkAuditPage(page, width) {
  await page.goto(`${base()}/#/audit`);
  await page.getByRole('heading', { name: /recanvass, recount, materiality and the risk-limiting audit/ }).waitFor();
  const a = (await api('GET', '/api/v1/audit')).json;
  await waitFor('the audit page to catch up', async () => (await text(page.getByTestId('audit-seq'))) === String(a.seq));
  assert.equal(await text(page.getByTestId('deadline')), a.deadline);
  assert.equal(await text(page.getByTestId('request-hours')), `${a.review.request_hours} hours after that release`);
  assert.equal(await text(page.getByTestId('answer-hours')), `${a.review.answer_hours} hours`);
  assert.equal(await text(page.getByTestId('recanvass-corrects')), a.review.recanvass_corrects.join(', '));
  for (const r of a.requests) {
    assert.equal(await text(page.getByTestId(`request-${r.seq}-seq`)), String(r.seq));
    assert.equal(await text(page.getByTestId(`request-${r.seq}-reason`)), r.reason);
    for (const p of r.precincts) {
      const t = `review-${r.seq}-${p.precinct}`;
      assert.equal(await page.getByTestId(t).getByRole('link', { name: `${p.county} / ${p.name}` }).getAttribute('href'), `#/precinct/${p.precinct}`);
      for (const [i, c] of p.claims.entries()) {
        assert.equal(await text(page.getByTestId(`${t}-claim-${i}-reported`)), String(c.reported));
        assert.equal(await text(page.getByTestId(`${t}-claim-${i}-claimed`)), String(c.claimed));
      }
      const eligibility = await text(page.getByTestId(`${t}-eligibility`));
      if (p.eligibility?.error !== undefined) assert.ok(eligibility.includes(p.eligibility.error), eligibility);
      else if (p.eligibility) assert.match(eligibility, p.eligibility.eligible ? /: yes/ : /: no$/);
      const decision = await text(page.getByTestId(`${t}-decision`));
      assert.ok(decision.includes(`ledger event ${p.decision.seq}`), decision);
      assert.ok(decision.includes(p.decision.reason), decision);
      if (p.decision.cost !== null) assert.ok(decision.includes(`cost ${p.decision.cost}`), decision);
      for (const [i, e] of p.entries.entries()) {
        const et = `${t}-entry-${i}`;
        assert.equal(await text(page.getByTestId(`${et}-seq`)), String(e.seq));
        assert.equal(await text(page.getByTestId(`${et}-sheet-delegates`)), figures(e.worksheet.delegates));
        for (const l of e.layers) {
          const li = page.getByTestId(`${et}-layer-${l.layer}`);
          assert.equal(await li.getAttribute('data-corrected'), String(l.corrected));
          if (l.layer === 'rule-misapplication') assert.equal(await text(page.getByTestId(`${et}-rules-delegates`)), figures(l.rules_delegates));
        }
        if (e.correction) {
          assert.equal(await text(page.getByTestId(`${et}-correction-delegates`)), figures(e.correction.delegates));
          assert.equal(await text(page.getByTestId(`${et}-correction-seq`)), String(e.correction.seq));
          // Its link is the ledger's event: a new revision citing the recanvass entry.
          const href = await page.getByTestId(`${et}-correction-seq`).locator('a').getAttribute('href');
          const line = JSON.parse((await api('GET', href)).text.trim());
          assert.equal(line.seq, e.correction.seq);
          assert.equal(line.type, 'report-corrected');
          assert.equal(line.payload.recanvass, e.seq);
        }
      }
    }
  }
  // The materiality list: the counts, and the rows of the table (filtered by county).
  const mr = await api('GET', '/api/v1/audit/materiality');
  assert.equal(mr.status, 200, mr.text);
  const m = mr.json;
  await waitFor('the materiality list to catch up', async () => (await text(page.getByTestId('materiality-seq'))) === String(m.seq));
  assert.equal(await text(page.getByTestId('mat-precincts')), String(m.summary.precincts));
  assert.equal(await text(page.getByTestId('mat-possibly')), String(m.summary.possibly_material));
  assert.equal(await text(page.getByTestId('mat-material')), String(m.summary.material));
  assert.equal(await text(page.getByTestId('mat-pair')), String(m.summary.by_moving_delegates));
  assert.equal(await text(page.getByTestId('mat-whole')), String(m.summary.only_by_all_delegates));
  const rows = page.getByTestId('materiality').locator('tbody tr');
  assert.equal(await rows.count(), m.precincts.filter((p) => p.possibly_material).length);
  await page.locator('#mat-filter').fill('osceola');
  const osceola = m.precincts.filter((p) => p.possibly_material && p.county === 'Osceola');
  await waitFor('the filter', async () => (await rows.count()) === osceola.length);
  for (const p of osceola) {
    const row = page.getByTestId('materiality').locator(`tr[data-precinct="${p.precinct}"]`);
    assert.equal(await text(row.locator('[data-col="bound"]')), p.bound ?? 'unbounded');
    if (p.smallest_change) assert.equal(await text(row.locator('[data-col="change"]')), p.smallest_change.text);
    if (p.assertion) assert.equal(await text(row.locator('[data-col="assertion"]')), `closest: ${p.assertion}`);
  }
  await assertNoHorizontalOverflow(page, `audit page at ${width} px`);
  await page.screenshot({ path: path.join(artifacts, `audit-${width}.png`), fullPage: true });
}

test('(a1) before any complete release a request is refused with its reason and writes nothing', { timeout: 120_000 }, async () => {
  // Every precinct but Ocheyedan reports: nothing is complete, nothing published.
  for (const [i, rep] of REPORTS.entries()) await report(rep, await rulesDelegates(rep), i);
  for (const width of [360, 1440]) {
    const { context, page } = await campaignPage(width);
    const before = await seqNow();
    await page.locator('#req-reason').fill('the worksheet shows otherwise');
    await addPrecinct(page, 'Adair', '1NW ADAIR');
    await page.getByRole('button', { name: 'Send the recanvass request' }).click();
    const refusal = page.getByTestId('refusal');
    await refusal.waitFor();
    assert.equal(await refusal.getAttribute('data-code'), 'no-complete-release');
    const r = await api('POST', '/api/v1/reviews', {
      token: await tokenFor(h.codes.get('campaign:Sanders')),
      body: { submission: `a1-${width}`, kind: 'recanvass', reason: 'x', precincts: [{ precinct: await precinctId('Adair', '1NW ADAIR') }] },
    });
    assert.equal(r.status, 409, r.text);
    assert.equal(await text(refusal), r.json.error.message);
    assert.equal(await seqNow(), before, 'a refused request wrote something');
    // What was typed stays.
    assert.equal(await page.locator('#req-reason').inputValue(), 'the worksheet shows otherwise');
    await assertNoHorizontalOverflow(page, `campaign page at ${width} px`);

    await page.goto(`${base()}/#/audit`);
    await page.getByTestId('deadline').waitFor();
    assert.match(await text(page.getByTestId('deadline')), /^not open yet/);
    assert.equal((await api('GET', '/api/v1/audit')).json.deadline, null);
    await assertNoHorizontalOverflow(page, `audit page at ${width} px`);
    await context.close();
  }
});

test('(a2) a recanvass from the campaign form to the correction on the public audit page', { timeout: 240_000 }, async () => {
  // Ocheyedan reports as published, then a release of the whole election opens requests.
  await report({ ...OCHEYEDAN, final: OCHEYEDAN_FINAL }, OCHEYEDAN_REPORTED, 9);
  const admin = await tokenFor(h.codes.get('admin:admin'));
  const published = await api('POST', '/api/v1/releases', { token: admin, body: {} });
  assert.equal(published.status, 201, published.text);
  assert.notEqual((await api('GET', '/api/v1/audit')).json.deadline, null);
  const id = await precinctId(OCHEYEDAN.county, OCHEYEDAN.name);

  // The campaign, at 360 px: a claim the engine refuses, shown next to the claims it names.
  let request;
  {
    const { context, page } = await campaignPage(360);
    await page.locator('#req-reason').fill('a viable group lost its only delegate');
    await addPrecinct(page, OCHEYEDAN.county, OCHEYEDAN.name);
    const block = page.getByTestId(`req-precinct-${id}`);
    await block.getByRole('button', { name: 'Add a claimed figure' }).click();
    await page.locator(`#req-${id}-0-field`).selectOption('final');
    await page.locator(`#req-${id}-0-candidate`).selectOption('Sanders');
    // The reported figure comes from the precinct's record.
    await waitFor('the reported figure', async () => (await page.locator(`#req-${id}-0-reported`).inputValue()) === '1');
    await page.locator(`#req-${id}-0-claimed`).fill('9');
    const before = await seqNow();
    await page.getByRole('button', { name: 'Send the recanvass request' }).click();
    const refusal = block.getByTestId('refusal');
    await refusal.waitFor();
    const sanders = await tokenFor(h.codes.get('campaign:Sanders'));
    const same = await api('POST', '/api/v1/reviews', {
      token: sanders,
      body: {
        submission: 'a2-refused', kind: 'recanvass', reason: 'a viable group lost its only delegate',
        precincts: [{ precinct: id, claims: [{ field: 'final', candidate: 'Sanders', reported: 1, claimed: 9 }] }],
      },
    });
    assert.equal(same.status, 422, same.text);
    assert.equal(same.json.error.code, 'impossible-claim');
    assert.equal(await text(refusal), `${same.json.error.message} ${same.json.error.field}`);
    assert.equal(await refusal.getAttribute('data-field'), same.json.error.field);
    assert.match(same.json.error.message, /final alignment counts/);
    assert.equal(await seqNow(), before, 'a refused claim wrote something');
    assert.equal(await page.locator(`#req-${id}-0-claimed`).inputValue(), '9');
    assert.equal(await page.locator('#req-reason').inputValue(), 'a viable group lost its only delegate');
    await assertNoHorizontalOverflow(page, 'campaign page with a refusal at 360 px');
    await page.screenshot({ path: path.join(artifacts, 'audit-campaign-refused-360.png'), fullPage: true });

    // The claim Ocheyedan's worksheet supports: Sanders's delegate, from Buttigieg.
    await page.locator(`#req-${id}-0-field`).selectOption('delegates');
    await waitFor('the reported delegates', async () => (await page.locator(`#req-${id}-0-reported`).inputValue()) === '0');
    await page.locator(`#req-${id}-0-claimed`).fill('1');
    await block.getByRole('button', { name: 'Add a claimed figure' }).click();
    await page.locator(`#req-${id}-1-field`).selectOption('delegates');
    await page.locator(`#req-${id}-1-candidate`).selectOption('Buttigieg');
    await waitFor('the reported delegates', async () => (await page.locator(`#req-${id}-1-reported`).inputValue()) === '2');
    await page.locator(`#req-${id}-1-claimed`).fill('1');
    await page.getByRole('button', { name: 'Send the recanvass request' }).click();
    const filed = page.getByTestId('request-filed');
    await filed.waitFor();
    request = Number(await filed.getAttribute('data-seq'));
    assert.equal(await seqNow(), before + 1);
    await context.close();
  }
  let a = (await api('GET', '/api/v1/audit')).json;
  assert.equal(a.requests.length, 1);
  assert.equal(a.requests[0].seq, request);
  assert.equal(a.requests[0].requester, 'Sanders');
  assert.deepEqual(a.requests[0].precincts[0].claims, [
    { field: 'delegates', candidate: 'Sanders', reported: 0, claimed: 1 },
    { field: 'delegates', candidate: 'Buttigieg', reported: 2, claimed: 1 },
  ]);

  // The administrator, at 1440 px: accepts, then enters the signed worksheet beside the report.
  {
    const { context, page } = await newPage(1440);
    await loginPage(page, 'admin', h.codes.get('admin:admin'));
    const decide = page.getByTestId(`decide-${request}-${id}`);
    await decide.waitFor();
    // A decision without a reason is refused, next to the reason, and writes nothing.
    const before = await seqNow();
    await decide.getByRole('button', { name: 'Accept' }).click();
    const why = decide.locator('.field-error');
    await why.waitFor();
    assert.equal(await why.getAttribute('data-field'), 'reason');
    const same = await api('POST', `/api/v1/reviews/${request}/decisions`, { token: admin, body: { submission: 'a2-no-reason', precinct: id, decision: 'accepted', reason: '' } });
    assert.equal(same.status, 422, same.text);
    assert.equal(await text(why), `${same.json.error.message} ${same.json.error.field}`);
    assert.equal(await page.locator(`#decide-${request}-${id}-reason`).getAttribute('aria-invalid'), 'true');
    assert.equal(await seqNow(), before);
    await page.locator(`#decide-${request}-${id}-reason`).fill('the signed worksheet is on file');
    await page.locator(`#decide-${request}-${id}-cost`).fill('0.00');
    await decide.getByRole('button', { name: 'Accept' }).click();
    const sheet = page.getByTestId(`sheet-${request}-${id}`);
    await sheet.waitFor();
    const t = `sheet-${request}-${id}`;
    await waitFor('the reported delegates', async () => (await text(page.getByTestId(`${t}-reported-delegates-Buttigieg`))) === '2');
    assert.equal(await text(page.getByTestId(`${t}-reported-delegates-Sanders`)), '0');
    for (const [c, n] of Object.entries(OCHEYEDAN_FINAL)) {
      await page.locator(`#${t}-first-${c}`).fill(String(n));
      await page.locator(`#${t}-final-${c}`).fill(String(n));
    }
    for (const [c, n] of Object.entries(OCHEYEDAN_REPORTED)) await page.locator(`#${t}-delegates-${c}`).fill(String(n));
    await assertNoHorizontalOverflow(page, 'admin page at 1440 px');
    await sheet.screenshot({ path: path.join(artifacts, 'audit-admin-worksheet-1440.png') });
    await sheet.getByRole('button', { name: 'Enter the worksheet' }).click();
    const et = `admin-entry-${request}-${id}`;
    await page.getByTestId(`${et}-layer-rule-misapplication`).waitFor();
    a = (await api('GET', '/api/v1/audit')).json;
    const entry = a.requests[0].precincts[0].entries[0];
    assert.deepEqual(entry.layers.map((l) => l.layer), ['rule-misapplication']);
    assert.deepEqual(entry.correction.delegates, { Buttigieg: 1, Klobuchar: 1, Sanders: 1 });
    await waitFor('the correction on the admin page', async () => (await text(page.getByTestId(`${et}-correction-seq`))) === String(entry.correction.seq));
    assert.equal(await text(page.getByTestId(`${et}-correction-delegates`)), 'Buttigieg 1, Klobuchar 1, Sanders 1');
    await page.screenshot({ path: path.join(artifacts, 'audit-admin-1440.png'), fullPage: true });
    await context.close();
  }
  {
    // The queue at 360 px: nothing waits, the entry shows what it found.
    const { context, page } = await newPage(360);
    await loginPage(page, 'admin', h.codes.get('admin:admin'));
    await page.getByTestId(`admin-entry-${request}-${id}-layer-rule-misapplication`).waitFor();
    assert.equal(await page.getByTestId(`decide-${request}-${id}`).count(), 0);
    assert.equal(await page.getByTestId(`sheet-${request}-${id}`).count(), 0);
    await assertNoHorizontalOverflow(page, 'admin page at 360 px');
    await context.close();
  }
  // The correction is the precinct's new revision.
  const p = (await api('GET', `/api/v1/precincts/${id}`)).json;
  assert.equal(p.revision, 2);
  assert.deepEqual(p.reported.delegates, { Buttigieg: 1, Klobuchar: 1, Sanders: 1 });

  // The campaign sees what came of its request.
  {
    const { context, page } = await campaignPage(1440);
    const mine = page.getByTestId(`my-request-${request}-${id}`);
    await waitFor('the campaign to see the correction', async () =>
      (await text(mine)) === `${OCHEYEDAN.county} / ${OCHEYEDAN.name}: accepted; found rule-misapplication; corrected at ledger event ${a.requests[0].precincts[0].entries[0].correction.seq}`);
    await context.close();
  }

  // The public audit page, at both widths, equals the API.
  for (const width of [1440, 360]) {
    const { context, page } = await newPage(width);
    await checkAuditPage(page, width);
    const et = `review-${request}-${id}-entry-0`;
    assert.match(await text(page.getByTestId(`${et}-layer-rule-misapplication`)), /^Rule misapplication: .* the rules give Buttigieg 1, Klobuchar 1, Sanders 1 · corrected$/);
    await context.close();
  }
});
