// The costs, schedule, evidence and observers of a recanvass, in Chromium at 360 and 1440 px,
// against a real `canvass serve` holding the audit test's small election
// (web/test/fixtures/audit-apportionment.csv under iowa-dem-2020). At each width, on two precincts
// of their own:
//   the campaign's evidence input refuses a text file with the API's message (nothing stored or
//   written) and uploads a PNG, showing its hash and link; the request cites it;
//   the administrator accepts both precincts with a cost; the queue says an entry awaits the
//   campaign's acceptance of the costs, and an entry attempt shows the API's costs-not-accepted
//   refusal and writes nothing;
//   the campaign accepts one cost and declines the other; the declined precinct is shown closed;
//   the administrator's schedule without a place is refused beside the place; then the schedule and
//   the worksheet with two observers are entered;
//   the public audit page shows the cost, its answer, the schedule, the observers, the evidence link
//   and the ledger position eligibility was judged on, each equal to GET /api/v1/audit.
// Then (c3) a recount entered from the queue at 360 px: refused without the cards counted, beside
// them, then entered with two observers, shown on the audit page as the API has it.
// Every wait is for a condition; nothing sleeps for a fixed time.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { h, here, useServer, waitFor, api, tokenFor, chairCode, precinctId, newPage, loginPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';

const CANDIDATES = ['Biden', 'Buttigieg', 'Klobuchar', 'Sanders', 'Warren'];
useServer({
  initArgs: [
    '--apportionment', path.join(here, 'fixtures/audit-apportionment.csv'),
    '--rules', 'iowa-dem-2020', '--name', 'Review costs test',
    ...CANDIDATES.flatMap((c) => ['--candidate', c]),
  ],
});

// Every precinct of the fixture, so that a release is complete and requests open.
const REPORTS = [
  { county: 'Adair', name: '1NW ADAIR', final: { Buttigieg: 41, Sanders: 24, Klobuchar: 15 } },
  { county: 'Adair', name: '2NE STUART', final: { Biden: 20, Buttigieg: 30, Sanders: 40 } },
  { county: 'Allamakee', name: 'Pct 01 - WL/HV', final: { Warren: 12, Sanders: 20, Biden: 9 } },
  { county: 'Appanoose', name: 'Vermillion/Douglas/Sharon', final: { Warren: 100, Sanders: 60 } },
  { county: 'Osceola', name: 'Osceola 3 Precinct 0800', final: { Sanders: 38, Buttigieg: 18, Biden: 10 } },
  { county: 'Osceola', name: 'Ocheyedan Precinct 0500', final: { Buttigieg: 3, Klobuchar: 1, Sanders: 1 } },
];
// Per width: the precinct whose cost is accepted (then scheduled and entered) and the one declined.
const PAIRS = { 360: [REPORTS[0], REPORTS[1]], 1440: [REPORTS[2], REPORTS[3]] };
const OBSERVERS = ['Buttigieg', 'Sanders']; // in the election's order, as the ledger keeps them

const seqNow = async () => (await api('GET', '/api/v1/health')).json.seq;
const text = async (loc) => (await loc.textContent()).replace(/\s+/g, ' ').trim();
const audit = async () => (await api('GET', '/api/v1/audit')).json;
const figures = (f) => Object.fromEntries(Object.entries(f).map(([c, n]) => [c, String(n)]));

// The delegates the rules give each precinct, reported as such by its chair; then a release of
// the whole election opens requests. Once per file.
const reported = new Map(); // precinct name -> { id, final, delegates }
let ready;
function setup() {
  ready ??= (async () => {
    for (const [i, rep] of REPORTS.entries()) {
      const id = await precinctId(rep.county, rep.name);
      const token = await tokenFor(chairCode(rep.county, rep.name));
      const preview = await api('POST', `/api/v1/precincts/${id}/preview`, { token, body: { first: rep.final, final: rep.final } });
      assert.equal(preview.status, 200, preview.text);
      const delegates = preview.json.computed.delegates;
      let r = await api('POST', `/api/v1/precincts/${id}/first`, { token, body: { submission: `c-first-${i}`, first: rep.final } });
      assert.equal(r.status, 201, r.text);
      r = await api('POST', `/api/v1/precincts/${id}/final`, { token, body: { submission: `c-final-${i}`, final: rep.final, delegates } });
      assert.equal(r.status, 201, r.text);
      reported.set(rep.name, { id, final: rep.final, delegates });
    }
    const r = await api('POST', '/api/v1/releases', { token: await tokenFor(h.codes.get('admin:admin')), body: {} });
    assert.equal(r.status, 201, r.text);
    assert.notEqual((await audit()).deadline, null);
  })();
  return ready;
}

// POST /api/v1/evidence with raw bytes, as the page sends a file.
async function uploadRaw(token, bytes, type) {
  const res = await fetch(`${h.base}/api/v1/evidence`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': type }, body: bytes });
  return { status: res.status, json: await res.json() };
}

async function loggedIn(width, route, code) {
  const { context, page } = await newPage(width);
  await loginPage(page, route, code);
  return { context, page };
}

// The public audit page equals GET /api/v1/audit for every request's costs, schedule, evidence,
// observers and judged_on.
async function checkAuditPage(page, width) {
  await page.goto(`${h.base}/#/audit`);
  const a = await audit();
  await waitFor('the audit page to catch up', async () => (await text(page.getByTestId('audit-seq'))) === String(a.seq));
  let costs = 0;
  let schedules = 0;
  let observed = 0;
  let judged = 0;
  for (const r of a.requests) {
    if (r.judged_on !== null) {
      judged++;
      assert.equal(await text(page.getByTestId(`request-${r.seq}-judged-on`)), String(r.judged_on));
      assert.match(await text(page.getByTestId(`request-${r.seq}`)), new RegExp(`Eligibility judged on the results at ledger position ${r.judged_on}`));
    } else {
      assert.equal(await text(page.getByTestId(`request-${r.seq}-judged-on`)), 'Eligibility not judged: no figures claimed');
    }
    for (const p of r.precincts) {
      const t = `review-${r.seq}-${p.precinct}`;
      if (p.evidence.length > 0) {
        const links = page.getByTestId(`${t}-evidence`).locator('a');
        assert.equal(await links.count(), p.evidence.length);
        for (const [i, hash] of p.evidence.entries()) {
          assert.equal(await links.nth(i).getAttribute('href'), `/api/v1/photos/${hash}`);
          assert.equal(await text(links.nth(i)), `${hash.slice(0, 12)}…`);
        }
      } else {
        assert.equal(await page.getByTestId(`${t}-evidence`).count(), 0);
      }
      if (p.costs) {
        costs++;
        assert.equal(await text(page.getByTestId(`${t}-costs-amount`)), p.costs.amount);
        assert.equal(await text(page.getByTestId(`${t}-costs-due`)), p.costs.due);
        const shown = page.getByTestId(`${t}-costs`);
        if (p.costs.answer) {
          assert.equal(await shown.getAttribute('data-answer'), p.costs.answer.accepted ? 'accepted' : 'declined');
          assert.equal(await text(page.getByTestId(`${t}-costs-answer-seq`)), String(p.costs.answer.seq));
          assert.ok((await text(shown)).includes(p.costs.answer.time));
          if (!p.costs.answer.accepted) assert.match(await text(shown), /declined: closed without an entry/);
        } else {
          assert.equal(await shown.getAttribute('data-answer'), 'none');
        }
      } else {
        assert.equal(await page.getByTestId(`${t}-costs`).count(), 0);
      }
      if (p.schedule) {
        schedules++;
        assert.equal(await text(page.getByTestId(`${t}-schedule-at`)), p.schedule.at);
        assert.equal(await text(page.getByTestId(`${t}-schedule-place`)), p.schedule.place);
        assert.equal(await text(page.getByTestId(`${t}-schedule-seq`)), String(p.schedule.seq));
      }
      for (const [i, e] of p.entries.entries()) {
        observed += e.observers.length;
        assert.equal(await text(page.getByTestId(`${t}-entry-${i}-observers`)), `Observers present for: ${e.observers.join(', ')}`);
        assert.equal(await text(page.getByTestId(`${t}-entry-${i}-seq`)), String(e.seq));
      }
    }
  }
  assert.ok(costs >= 2 && schedules >= 1 && observed >= 2 && judged >= 1, 'the record has the costs, a schedule, observers and a judged request');
  await assertNoHorizontalOverflow(page, `audit page at ${width} px`);
  await page.screenshot({ path: path.join(artifacts, `review-costs-audit-${width}.png`), fullPage: true });
}

async function costsAndEntry(width) {
  await setup();
  const [A, B] = PAIRS[width];
  const a = reported.get(A.name);
  const b = reported.get(B.name);
  const sanders = await tokenFor(h.codes.get('campaign:Sanders'));
  const admin = await tokenFor(h.codes.get('admin:admin'));

  // The campaign: evidence for A (a text file refused, then a PNG), and the request for A and B.
  let request;
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(`the signed worksheet, photographed (${width} px)`)]);
  const hash = createHash('sha256').update(png).digest('hex');
  {
    const { context, page } = await loggedIn(width, 'campaign', h.codes.get('campaign:Sanders'));
    await page.getByRole('heading', { name: 'Request a recanvass or recount' }).waitFor();
    await page.locator('#req-reason').fill('the worksheets disagree with the report');
    for (const rep of [A, B]) {
      await page.locator('#req-search').fill(rep.name);
      await page.getByRole('button', { name: `Add ${rep.county} / ${rep.name}` }).click();
    }
    const block = page.getByTestId(`req-precinct-${a.id}`);
    // A claim (another candidate's final alignment, one fewer) so that eligibility is judged.
    await block.getByRole('button', { name: 'Add a claimed figure' }).click();
    const other = Object.keys(A.final).find((c) => c !== 'Sanders');
    await page.locator(`#req-${a.id}-0-candidate`).selectOption(other);
    await waitFor('the reported figure', async () => (await page.locator(`#req-${a.id}-0-reported`).inputValue()) === String(A.final[other]));
    await page.locator(`#req-${a.id}-0-claimed`).fill(String(A.final[other] - 1));
    const before = await seqNow();
    const note = Buffer.from('not a photo');
    await page.locator(`#req-${a.id}-evidence`).setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: note });
    const refusal = block.getByTestId('refusal');
    await refusal.waitFor();
    const same = await uploadRaw(sanders, note, 'text/plain');
    assert.equal(same.status, 415);
    assert.equal(await refusal.getAttribute('data-code'), same.json.error.code);
    assert.equal(await text(refusal), same.json.error.message);
    assert.equal(await page.locator(`#req-${a.id}-evidence`).getAttribute('aria-invalid'), 'true');

    await page.locator(`#req-${a.id}-evidence`).setInputFiles({ name: 'worksheet.png', mimeType: 'image/png', buffer: png });
    const item = page.getByTestId(`req-${a.id}-evidence-list`).locator(`li[data-sha256="${hash}"]`);
    await item.waitFor();
    assert.equal(await block.getByTestId('refusal').count(), 0, 'the earlier refusal is gone');
    const stored = await uploadRaw(sanders, png, 'image/png');
    assert.equal(stored.status, 201);
    assert.equal(stored.json.sha256, hash);
    assert.equal(await item.locator('a').getAttribute('href'), stored.json.url);
    assert.equal(await text(item.locator('a')), `${hash.slice(0, 12)}…`);
    assert.match(await text(item), new RegExp(`worksheet\\.png \\(${stored.json.content_type}, ${stored.json.bytes} bytes\\)`));
    const served = await fetch(`${h.base}${stored.json.url}`);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);
    assert.equal(await seqNow(), before, 'evidence writes no event');
    await assertNoHorizontalOverflow(page, `campaign page at ${width} px`);

    await page.getByRole('button', { name: 'Send the recanvass request' }).click();
    const filed = page.getByTestId('request-filed');
    await filed.waitFor();
    request = Number(await filed.getAttribute('data-seq'));
    assert.equal(await seqNow(), before + 1);
    await context.close();
  }
  let r = (await audit()).requests.find((x) => x.seq === request);
  assert.deepEqual(r.precincts.map((p) => [p.precinct, p.evidence]), [[a.id, [hash]], [b.id, []]]);

  // The administrator accepts both with a cost; an entry for A is refused until the campaign accepts.
  const sheetA = `sheet-${request}-${a.id}`;
  {
    const { context, page } = await loggedIn(width, 'admin', h.codes.get('admin:admin'));
    for (const [rep, cost] of [[a, '350.00'], [b, '120.50']]) {
      const decide = page.getByTestId(`decide-${request}-${rep.id}`);
      await decide.waitFor();
      await page.locator(`#decide-${request}-${rep.id}-reason`).fill('the signed worksheet is on file');
      await page.locator(`#decide-${request}-${rep.id}-cost`).fill(cost);
      await decide.getByRole('button', { name: 'Accept' }).click();
      await page.getByTestId(`sheet-${request}-${rep.id}`).waitFor();
    }
    r = (await audit()).requests.find((x) => x.seq === request);
    const costsA = r.precincts[0].costs;
    assert.equal(costsA.amount, '350.00');
    assert.equal(costsA.answer, null);
    assert.equal(r.precincts[1].costs.amount, '120.50');
    assert.equal(await text(page.getByTestId(`${sheetA}-awaiting-costs`)),
      `Cost ${costsA.amount}: awaiting the campaign's acceptance of the costs (due ${costsA.due}); an entry is refused until then.`);

    for (const [c, n] of Object.entries(figures(a.final))) {
      await page.locator(`#${sheetA}-first-${c}`).fill(n);
      await page.locator(`#${sheetA}-final-${c}`).fill(n);
    }
    await page.getByTestId(sheetA).screenshot({ path: path.join(artifacts, `review-costs-sheet-due-${width}.png`) });
    const before = await seqNow();
    const form = page.getByTestId(`${sheetA}-form`);
    await form.getByRole('button', { name: 'Enter the worksheet' }).click();
    const why = form.locator('.field-error');
    await why.waitFor();
    const same = await api('POST', `/api/v1/reviews/${request}/recanvass`, {
      token: admin, body: { submission: `c-refused-${width}`, precinct: a.id, worksheet: { first: a.final, final: a.final } },
    });
    assert.equal(same.status, 409, same.text);
    assert.equal(same.json.error.code, 'costs-not-accepted');
    assert.equal(await text(why), `${same.json.error.message} ${same.json.error.field}`);
    assert.equal(await why.getAttribute('data-field'), same.json.error.field);
    assert.equal(await seqNow(), before, 'a refused entry wrote something');
    await assertNoHorizontalOverflow(page, `admin page with costs due at ${width} px`);
    await page.screenshot({ path: path.join(artifacts, `review-costs-admin-due-${width}.png`), fullPage: true });
    await context.close();
  }

  // The campaign accepts A's cost and declines B's.
  {
    const { context, page } = await loggedIn(width, 'campaign', h.codes.get('campaign:Sanders'));
    r = (await audit()).requests.find((x) => x.seq === request);
    for (const [i, rep] of [a, b].entries()) {
      const c = r.precincts[i].costs;
      const t = `my-costs-${request}-${rep.id}`;
      await page.getByTestId(t).waitFor();
      assert.equal(await text(page.getByTestId(`${t}-amount`)), c.amount);
      assert.equal(await text(page.getByTestId(`${t}-due`)), c.due);
      assert.equal(await page.getByTestId(t).getAttribute('data-answer'), 'none');
    }
    await assertNoHorizontalOverflow(page, `campaign page with costs due at ${width} px`);
    await page.getByTestId(`costs-${request}-${a.id}`).getByRole('button', { name: 'Accept the cost of 350.00' }).click();
    await waitFor('the accepted cost', async () => (await page.getByTestId(`my-costs-${request}-${a.id}`).getAttribute('data-answer')) === 'accepted');
    const answers = page.getByTestId(`costs-${request}-${b.id}`);
    await answers.getByRole('button', { name: 'Decline' }).click();
    await answers.getByRole('button', { name: 'Decline the cost of 120.50' }).click();
    await waitFor('the declined cost', async () => (await page.getByTestId(`my-costs-${request}-${b.id}`).getAttribute('data-answer')) === 'declined');
    r = (await audit()).requests.find((x) => x.seq === request);
    for (const [i, rep] of [a, b].entries()) {
      const answer = r.precincts[i].costs.answer;
      assert.equal(answer.accepted, i === 0);
      await waitFor('the answer\'s ledger position', async () => (await text(page.getByTestId(`my-costs-${request}-${rep.id}-answer-seq`))) === String(answer.seq));
      assert.equal(await page.getByTestId(`costs-${request}-${rep.id}`).count(), 0, 'no buttons once answered');
    }
    // A second answer is refused.
    const again = await api('POST', `/api/v1/reviews/${request}/costs`, { token: sanders, body: { submission: `c-again-${width}`, precinct: b.id, accepted: true } });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json.error.code, 'costs-answered');
    await page.screenshot({ path: path.join(artifacts, `review-costs-campaign-${width}.png`), fullPage: true });
    await context.close();
  }

  // The administrator: B closed; A scheduled (a schedule without a place refused first), then its
  // worksheet entered with two campaigns' observers.
  {
    const { context, page } = await loggedIn(width, 'admin', h.codes.get('admin:admin'));
    const closed = page.getByTestId(`admin-closed-${request}-${b.id}`);
    await closed.waitFor();
    assert.equal(await page.getByTestId(`admin-closed-${request}-${b.id}-costs`).getAttribute('data-answer'), 'declined');
    assert.equal(await page.getByTestId(`sheet-${request}-${b.id}`).count(), 0);
    await page.getByTestId(`${sheetA}-costs`).waitFor();
    assert.equal(await page.getByTestId(`${sheetA}-costs`).getAttribute('data-answer'), 'accepted');
    assert.equal(await page.getByTestId(`${sheetA}-awaiting-costs`).count(), 0);

    const sched = page.getByTestId(`${sheetA}-schedule`);
    await page.locator(`#${sheetA}-schedule-at`).fill('2031-03-02T10:30');
    let before = await seqNow();
    await sched.getByRole('button', { name: 'Schedule' }).click();
    const why = sched.locator('.field-error');
    await why.waitFor();
    const same = await api('POST', `/api/v1/reviews/${request}/schedule`, { token: admin, body: { submission: `c-noplace-${width}`, precinct: a.id, at: '2031-03-02T10:30:00.000Z', place: '' } });
    assert.equal(same.status, 422, same.text);
    assert.equal(same.json.error.code, 'place-required');
    assert.equal(await text(why), `${same.json.error.message} ${same.json.error.field}`);
    assert.equal(await page.locator(`#${sheetA}-schedule-place`).getAttribute('aria-invalid'), 'true');
    assert.equal(await seqNow(), before);
    const place = `${A.county} County Courthouse, room 2`;
    await page.locator(`#${sheetA}-schedule-place`).fill(place);
    await sched.getByRole('button', { name: 'Schedule' }).click();
    await page.getByTestId(`${sheetA}-schedule-current-at`).waitFor();
    r = (await audit()).requests.find((x) => x.seq === request);
    const schedule = r.precincts[0].schedule;
    // The time typed in the browser's zone is sent in UTC.
    assert.equal(schedule.at, await page.evaluate(() => new Date('2031-03-02T10:30').toISOString()));
    assert.equal(schedule.place, place);
    assert.equal(await text(page.getByTestId(`${sheetA}-schedule-current-at`)), schedule.at);
    assert.equal(await text(page.getByTestId(`${sheetA}-schedule-current-place`)), place);
    assert.equal(await text(page.getByTestId(`${sheetA}-schedule-current-seq`)), String(schedule.seq));

    for (const [c, n] of Object.entries(figures(a.final))) {
      await page.locator(`#${sheetA}-first-${c}`).fill(n);
      await page.locator(`#${sheetA}-final-${c}`).fill(n);
    }
    for (const [c, n] of Object.entries(figures(a.delegates))) await page.locator(`#${sheetA}-delegates-${c}`).fill(n);
    for (const c of [...OBSERVERS].reverse()) await page.locator(`#${sheetA}-observer-${c}`).check();
    before = await seqNow();
    await page.getByTestId(`${sheetA}-form`).getByRole('button', { name: 'Enter the worksheet' }).click();
    const et = `admin-entry-${request}-${a.id}`;
    await page.getByTestId(`${et}-observers`).waitFor();
    r = (await audit()).requests.find((x) => x.seq === request);
    const entry = r.precincts[0].entries[0];
    assert.deepEqual(entry.observers, OBSERVERS);
    assert.equal(entry.agrees, true, JSON.stringify(entry));
    assert.equal(await seqNow(), before + 1);
    assert.equal(await text(page.getByTestId(`${et}-observers`)), `Observers present for: ${OBSERVERS.join(', ')}`);
    assert.equal(await page.getByTestId(sheetA).count(), 0);
    await assertNoHorizontalOverflow(page, `admin page at ${width} px`);
    await page.screenshot({ path: path.join(artifacts, `review-costs-admin-${width}.png`), fullPage: true });
    await context.close();
  }

  // The public audit page.
  {
    const { context, page } = await newPage(width);
    await checkAuditPage(page, width);
    const t = `review-${request}-${b.id}-costs`;
    assert.match(await text(page.getByTestId(t)), /^cost 120\.50, to be accepted by .*; declined: closed without an entry at ledger event \d+/);
    await context.close();
  }
}

test('(c1) at 360 px: evidence, a cost accepted and one declined, the schedule and the observers', { timeout: 240_000 }, () => costsAndEntry(360));
test('(c2) at 1440 px: evidence, a cost accepted and one declined, the schedule and the observers', { timeout: 240_000 }, () => costsAndEntry(1440));

test('(c3) a recount entered from the queue with its observers, at 360 px', { timeout: 180_000 }, async () => {
  await setup();
  const P = REPORTS[4];
  const p = reported.get(P.name);
  const sanders = await tokenFor(h.codes.get('campaign:Sanders'));
  const admin = await tokenFor(h.codes.get('admin:admin'));
  // A recount needs a recanvass first: both through the API, accepted without a cost.
  const file = async (kind) => {
    const r = await api('POST', '/api/v1/reviews', { token: sanders, body: { submission: `c3-${kind}`, kind, reason: `the ${kind} of the cards`, precincts: [{ precinct: p.id }] } });
    assert.equal(r.status, 201, r.text);
    const seq = r.json.receipt.seq;
    const d = await api('POST', `/api/v1/reviews/${seq}/decisions`, { token: admin, body: { submission: `c3-${kind}-decided`, precinct: p.id, decision: 'accepted', reason: 'on file' } });
    assert.equal(d.status, 201, d.text);
    return seq;
  };
  const recanvass = await file('recanvass');
  const sheet = await api('POST', `/api/v1/reviews/${recanvass}/recanvass`, {
    token: admin, body: { submission: 'c3-sheet', precinct: p.id, worksheet: { first: p.final, final: p.final, delegates: p.delegates } },
  });
  assert.equal(sheet.status, 201, sheet.text);
  const recount = await file('recount');
  const cards = Object.values(p.final).reduce((x, y) => x + y, 0);

  const { context, page } = await loggedIn(360, 'admin', h.codes.get('admin:admin'));
  const id = `recount-${recount}-${p.id}`;
  const form = page.getByTestId(`${id}-form`);
  await form.waitFor();
  for (const [c, n] of Object.entries(figures(p.final))) {
    await page.locator(`#${id}-first-${c}`).fill(n);
    await page.locator(`#${id}-final-${c}`).fill(n);
  }
  let before = await seqNow();
  await form.getByRole('button', { name: 'Enter the recount' }).click();
  const why = form.locator('.field-error');
  await why.waitFor();
  const same = await api('POST', `/api/v1/reviews/${recount}/recount`, { token: admin, body: { submission: 'c3-no-cards', precinct: p.id, cards: null, first: p.final, final: p.final } });
  assert.equal(same.status, 422, same.text);
  assert.equal(await why.getAttribute('data-field'), same.json.error.field);
  assert.equal(await text(why), `${same.json.error.message} ${same.json.error.field}`);
  assert.equal(await page.locator(`#${id}-cards`).getAttribute('aria-invalid'), 'true');
  assert.equal(await seqNow(), before);

  await page.locator(`#${id}-cards`).fill(String(cards));
  for (const c of ['Warren', 'Klobuchar']) await page.locator(`#${id}-observer-${c}`).check();
  before = await seqNow();
  await form.getByRole('button', { name: 'Enter the recount' }).click();
  const et = `admin-entry-${recount}-${p.id}`;
  await page.getByTestId(`${et}-recount`).waitFor();
  const r = (await audit()).requests.find((x) => x.seq === recount);
  const entry = r.precincts[0].entries[0];
  assert.equal(entry.kind, 'recount');
  assert.equal(entry.recount.cards, cards);
  assert.deepEqual(entry.observers, ['Klobuchar', 'Warren']);
  assert.ok(await seqNow() > before);
  assert.equal(await text(page.getByTestId(`${et}-recount`)), `: ${cards} cards counted`);
  assert.equal(await text(page.getByTestId(`${et}-observers`)), 'Observers present for: Klobuchar, Warren');
  await assertNoHorizontalOverflow(page, 'admin page after a recount at 360 px');
  await context.close();

  const pub = await newPage(360);
  await pub.page.goto(`${h.base}/#/audit`);
  const t = `review-${recount}-${p.id}-entry-0`;
  await pub.page.getByTestId(`${t}-recount`).waitFor();
  assert.equal(await text(pub.page.getByTestId(`${t}-seq`)), String(entry.seq));
  assert.equal(await text(pub.page.getByTestId(`${t}-recount`)), `: ${entry.recount.cards} cards counted`);
  assert.equal(await text(pub.page.getByTestId(`${t}-observers`)), `Observers present for: ${entry.observers.join(', ')}`);
  assert.equal(await text(pub.page.getByTestId(`${t}-sheet-first`)), CANDIDATES.filter((c) => entry.worksheet.first?.[c]).map((c) => `${c} ${entry.worksheet.first[c]}`).join(', '));
  await assertNoHorizontalOverflow(pub.page, 'audit page after a recount at 360 px');
  await pub.context.close();
});
