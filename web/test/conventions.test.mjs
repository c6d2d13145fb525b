// The district conventions' public page (#/conventions), in Chromium at 360 and 1280 px, against a
// real `canvass serve` holding the Iowa 2020 demo election, with two conventions run through the
// API as docs/conventions.md "On the ledger" describes:
//   CD1 (30 days' notice): block plurality published, then cumulative voting replacing it; filing
//        refused for want of notice, then opened under a waiver whose reason the page shows; the
//        campaigns' reviews (one filer struck, with its reason); voting refused before the filing
//        deadline and again for want of notice, then opened under a second waiver; the officers'
//        tallies: Biden's pool where equal division swaps a woman in, Sanders's where a tie needs
//        the lots (needs-lots), then the lots and the close (final).
//   CD2 (no notice): one district pool, voting open, nothing counted yet (no-votes).
//   (c1) every figure on screen equals GET /api/v1/conventions/{name}, at each step, at 360 px;
//        the notice's end shown equals the one the refusal named; no horizontal overflow.
//   (c2) the list links each convention, the navigation links the list; 1280 px, no overflow.
// Every wait is for a condition (the filing deadline passing on the server's clock is one).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { h, useServer, waitFor, api, tokenFor, newPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';

const ready = useServer();
const base = () => h.base;
let n = 0;
const sub = () => `conv-${++n}`;

async function post(token, p, body, status = 201) {
  const r = await api('POST', p, { token, body: { submission: sub(), ...body } });
  assert.equal(r.status, status, `${p}: ${r.text}`);
  return r;
}

const text = async (page, testid) => (await page.getByTestId(testid).first().textContent()).trim();
const convention = async (name) => {
  const r = await api('GET', `/api/v1/conventions/${name}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const noticeEnd = (time, days) => new Date(Date.parse(time) + days * 86_400_000).toISOString();

// Every figure of the convention on screen equals the API's, on a freshly loaded page.
async function checkPage(page, name, what) {
  const c = await convention(name);
  await page.goto(`${base()}/#/conventions/${name}`);
  await page.reload();
  await page.getByRole('heading', { name: `Convention ${name}` }).waitFor();
  assert.equal(await text(page, 'district'), c.district);
  assert.equal(await text(page, 'notice-days'), `${c.notice_days} days`);
  assert.equal(await text(page, 'min-approved'), `${c.min_approved_per_slot} per seat`);
  for (const [stage, s] of [['filing', c.filing], ['voting', c.voting]]) {
    const shown = await text(page, `stage-${stage}`);
    if (!s) { assert.equal(shown, 'not open', stage); continue; }
    assert.ok(shown.startsWith(`opened ${s.time} under procedure ${s.procedure}`), `${stage}: ${shown}`);
    assert.equal(shown.includes(`waiver ${s.waiver?.seq}`), Boolean(s.waiver), `${stage}: ${shown}`);
  }
  assert.equal(await text(page, 'closed'), c.closed ? `voting closed ${c.closed.time}` : 'not closed');
  for (const w of c.waivers) {
    assert.equal(await text(page, `waiver-${w.seq}-reason`), w.reason);
    assert.equal(await text(page, `waiver-${w.seq}-stage`), w.stage);
    assert.ok(await page.getByTestId(`waiver-${w.seq}-reason`).isVisible(), `waiver ${w.seq} is not visible`);
  }
  for (const p of c.procedures) {
    const id = `procedure-${p.seq}`;
    assert.equal(await text(page, `${id}-time`), p.time);
    assert.equal(await text(page, `${id}-title`), p.title);
    assert.equal(await text(page, `${id}-formula`), p.formula);
    assert.equal(await text(page, `${id}-hash`), p.hash);
    assert.equal(await text(page, `${id}-deadline`), p.filing_deadline);
    assert.equal(await text(page, `${id}-notice`), `${c.notice_days} days, until ${noticeEnd(p.time, c.notice_days)}`);
    assert.equal(await text(page, `${id}-equal`), p.equal_division ? `variance ${p.equal_division.variance}, non-binary ${p.equal_division.non_binary}` : 'off');
    for (const pool of p.pools) assert.match(await text(page, `${id}-pool-${pool.name}`), new RegExp(`^${pool.name}: ${pool.seats} seats?, `));
  }
  for (const f of c.filers) {
    assert.equal(await text(page, `filer-${f.name}-preference`), f.preference);
    assert.equal(await text(page, `filer-${f.name}-gender`), f.gender);
    assert.equal(await text(page, `filer-${f.name}-review`), f.review);
    if (f.review_reason) assert.equal(await text(page, `filer-${f.name}-reason`), f.review_reason);
  }
  assert.equal(await page.getByTestId(/^pool-[^-]+$/).count(), c.results.length);
  for (const r of c.results) {
    const id = `pool-${r.pool}`;
    assert.equal(await text(page, `${id}-status`), r.status.replace(/-/g, ' '));
    if (r.message) assert.equal(await text(page, `${id}-message`), r.message);
    for (const w of r.waivers ?? []) assert.equal(await text(page, `${id}-waiver-${w.seq}-reason`), w.reason);
    if (!r.formula) continue;
    assert.equal(await text(page, `${id}-formula`), `${r.title} (${r.formula})`);
    assert.equal(await text(page, `${id}-seats`), String(r.seats));
    assert.equal(await text(page, `${id}-procedure`), `${r.procedure.seq}, ${r.procedure.time}`);
    assert.ok((await text(page, `${id}-sweep`)).startsWith(r.sweep), `${id}: the sweep sentence`);
    assert.equal(await text(page, `${id}-sweep-share`), r.sweep_share);
    assert.equal(await text(page, `${id}-source`), r.source.tally !== undefined ? `the officers' tally (event ${r.source.tally})` : `${r.source.ballots} ballots`);
    for (const [o, v] of Object.entries(r.votes ?? {})) {
      assert.equal(await text(page, `${id}-votes-${o}`), String(v), `${id}: ${o}'s votes`);
      assert.equal(await text(page, `${id}-won-${o}`), String(r.won?.[o] ?? 0), `${id}: ${o}'s seats`);
    }
    if (r.elected) {
      assert.equal(await page.getByTestId(`${id}-elected`).locator('li').count(), r.elected.length, `${id}: elected`);
      for (const d of r.elected) {
        const shown = await text(page, `${id}-elected-${d.name}`);
        assert.ok(shown.startsWith(`${d.name} (${d.gender}${d.option === d.name ? '' : `; ${d.option}`})`), `${id}: ${shown}`);
        assert.equal(shown.includes('swapped in by equal division'), Boolean(d.swapped_in), `${id}: ${shown}`);
      }
    }
    if (r.equal_division) {
      const e = r.equal_division;
      const shown = await text(page, `${id}-equal`);
      assert.ok(shown.includes(`${e.women} women, ${e.men} men, ${e.non_binary} non-binary; ${e.balanced ? 'balanced' : 'not balanced'}`), shown);
      for (const s of e.swaps) assert.ok(shown.includes(s), `${id}: swap ${s} in ${shown}`);
    }
    for (const [i, t] of (r.ties ?? []).entries()) {
      assert.equal(await text(page, `${id}-tie-${i}`), `${t.what}: ${t.tied.join(', ')} tied; the lots favoured ${t.favoured.join(', ')}`);
    }
    if (r.lots) assert.equal(await text(page, `${id}-lots`), `Lots drawn (event ${r.lots.seq}): ${r.lots.order.join(', ')}`);
    for (const [g, v] of Object.entries(r.dnc?.groups ?? {})) {
      assert.equal(await text(page, `${id}-dnc-votes-${g}`), v.votes, `${id}: DNC votes of ${g}`);
      assert.equal(await text(page, `${id}-dnc-seats-${g}`), String(v.seats), `${id}: DNC seats of ${g}`);
    }
  }
  await assertNoHorizontalOverflow(page, `${name} ${what}`);
  return c;
}

const filing = (name, preference, gender) => ({
  name, preference, gender, district: 'IA-01', pledge: `I support ${preference} for the nomination.`,
});

test('(c1) a convention refused for want of notice, waived, voted and counted: every figure equals the API at 360 px', { timeout: 240_000 }, async () => {
  await ready;
  const admin = await tokenFor(h.codes.get('admin:admin'));
  const biden = await tokenFor(h.codes.get('campaign:Biden'));
  const sanders = await tokenFor(h.codes.get('campaign:Sanders'));
  const { context, page } = await newPage(360, 800);

  await post(admin, '/api/v1/conventions', { convention: 'CD1', district: 'IA-01' });
  await post(admin, '/api/v1/conventions', { convention: 'CD2', district: 'IA-02', notice_days: 0 });
  const pools = [{ name: 'Biden', preference: 'Biden', seats: 2 }, { name: 'Sanders', preference: 'Sanders', seats: 2 }];
  // The deadline leaves the filings time on the server's clock; voting waits for it to pass.
  const deadline = new Date(Date.now() + 10_000).toISOString();
  await post(admin, '/api/v1/conventions/CD1/procedures', { formula: 'block', pools, filing_deadline: deadline });
  await post(admin, '/api/v1/conventions/CD1/procedures', { formula: 'cumulative', pools, filing_deadline: deadline, note: 'Cumulative voting replaces block plurality.' });
  await post(admin, '/api/v1/conventions/CD2/procedures', { formula: 'block', pools: [{ name: 'District', seats: 1 }], filing_deadline: deadline });
  let c = await checkPage(page, 'CD1', 'published');
  assert.equal(c.procedures.length, 2);
  assert.equal(c.filing, null);

  // Filing, refused: the procedure stands for less than the 30 days' notice. The end the refusal
  // names is the one on the page.
  const refused = await post(admin, '/api/v1/conventions/CD1/stages', { stage: 'filing' }, 409);
  assert.equal(refused.json.error.code, 'notice-too-short');
  const standing = c.procedures[1];
  assert.ok(refused.json.error.message.includes(`until ${noticeEnd(standing.time, 30)}`), refused.json.error.message);
  assert.ok(refused.json.error.message.includes(await text(page, `procedure-${standing.seq}-notice`).then((s) => s.replace(/^30 days, until /, ''))));
  const reason1 = 'The county hall is only available this week';
  await post(admin, '/api/v1/conventions/CD1/waivers', { procedure: standing.seq, stage: 'filing', reason: reason1 });
  await post(admin, '/api/v1/conventions/CD1/stages', { stage: 'filing' });
  await post(admin, '/api/v1/conventions/CD2/stages', { stage: 'filing' });
  for (const f of [filing('Ann', 'Biden', 'woman'), filing('Bo', 'Biden', 'man'), filing('Cal', 'Biden', 'man'), filing('Gus', 'Biden', 'man'),
    filing('Di', 'Sanders', 'woman'), filing('Ed', 'Sanders', 'man'), filing('Flo', 'Sanders', 'woman')]) {
    await post(admin, '/api/v1/conventions/CD1/filings', f);
  }
  await post(admin, '/api/v1/conventions/CD2/filings', { ...filing('Hal', 'Biden', 'man'), district: 'IA-02' });
  await post(admin, '/api/v1/conventions/CD2/filings', { ...filing('Ivy', 'Sanders', 'woman'), district: 'IA-02' });
  // The campaigns' reviews: Biden's strikes Cal; a campaign cannot review another's filer.
  for (const f of ['Ann', 'Bo', 'Gus']) await post(biden, '/api/v1/conventions/CD1/reviews', { filer: f, decision: 'approved' });
  await post(biden, '/api/v1/conventions/CD1/reviews', { filer: 'Cal', decision: 'struck', reason: 'did not sign the pledge in person' });
  await post(biden, '/api/v1/conventions/CD1/reviews', { filer: 'Di', decision: 'struck' }, 403);
  for (const f of ['Di', 'Flo']) await post(sanders, '/api/v1/conventions/CD1/reviews', { filer: f, decision: 'approved' });
  // Voting before the deadline is refused; the page shows filing open, voting not.
  const early = await api('POST', '/api/v1/conventions/CD1/stages', { token: admin, body: { submission: sub(), stage: 'voting' } });
  if (Date.now() < Date.parse(deadline) - 1000) {
    assert.equal(early.status, 409, early.text);
    assert.equal(early.json.error.code, 'filing-still-open');
  }
  c = await checkPage(page, 'CD1', 'filing');
  assert.equal(c.filers.find((f) => f.name === 'Cal').review, 'struck');
  assert.equal(c.filers.find((f) => f.name === 'Ed').review, 'not-reviewed');
  assert.equal(c.results.length, 0);
  await page.screenshot({ path: path.join(artifacts, 'conventions-filing-360.png'), fullPage: true });

  // After the deadline on the server's clock, voting is refused for want of notice (the filing
  // waiver does not cover it), then opened under a waiver of its own.
  const tooShort = await waitFor('the filing deadline to pass', async () => {
    const r = await api('POST', '/api/v1/conventions/CD1/stages', { token: admin, body: { submission: sub(), stage: 'voting' } });
    if (r.status === 409 && r.json.error.code === 'filing-still-open') return false;
    return r;
  });
  assert.equal(tooShort.status, 409, tooShort.text);
  assert.equal(tooShort.json.error.code, 'notice-too-short');
  const reason2 = 'Voting must finish before the state convention on Saturday';
  await post(admin, '/api/v1/conventions/CD1/waivers', { procedure: standing.seq, stage: 'voting', reason: reason2 });
  await post(admin, '/api/v1/conventions/CD1/stages', { stage: 'voting' });
  await waitFor('CD2 voting to open', async () => (await api('POST', '/api/v1/conventions/CD2/stages', { token: admin, body: { submission: sub(), stage: 'voting' } })).status === 201);

  // Biden's pool elects three men's worth of votes; equal division swaps Ann in. Sanders's pool
  // ties Ed and Flo for the second seat: the count waits for the lots.
  await post(admin, '/api/v1/conventions/CD1/tallies', { pool: 'Biden', tallies: { Bo: 30, Gus: 25, Ann: 10 } });
  await post(admin, '/api/v1/conventions/CD1/tallies', { pool: 'Sanders', tallies: { Di: 30, Ed: 15, Flo: 15 } });
  c = await checkPage(page, 'CD1', 'voting');
  const bidenPool = c.results.find((r) => r.pool === 'Biden');
  assert.equal(bidenPool.status, 'provisional');
  assert.ok(bidenPool.elected.some((d) => d.swapped_in), JSON.stringify(bidenPool));
  assert.deepEqual(bidenPool.waivers.map((w) => w.reason), [reason1, reason2]);
  assert.equal(c.results.find((r) => r.pool === 'Sanders').status, 'needs-lots');
  assert.ok(await page.getByText(reason2).first().isVisible());
  await page.screenshot({ path: path.join(artifacts, 'conventions-needs-lots-360.png'), fullPage: true });

  await post(admin, '/api/v1/conventions/CD1/lots', { pool: 'Sanders', order: ['Flo', 'Ed', 'Di'] });
  await post(admin, '/api/v1/conventions/CD1/close', {});
  c = await checkPage(page, 'CD1', 'final');
  const sandersPool = c.results.find((r) => r.pool === 'Sanders');
  assert.deepEqual(c.results.map((r) => r.status), ['final', 'final']);
  assert.ok(sandersPool.ties.length > 0, JSON.stringify(sandersPool));
  assert.ok(Object.keys(sandersPool.dnc.groups).length > 0, JSON.stringify(sandersPool.dnc));
  await page.screenshot({ path: path.join(artifacts, 'conventions-final-360.png'), fullPage: true });

  c = await checkPage(page, 'CD2', 'no votes');
  assert.deepEqual(c.results.map((r) => r.status), ['no-votes']);
  assert.equal(c.waivers.length, 0);
  await context.close();
});

test('(c2) the list links every convention and the navigation links the list, at 1280 px', { timeout: 120_000 }, async () => {
  await ready;
  const list = (await api('GET', '/api/v1/conventions')).json.conventions;
  assert.deepEqual(list.map((c) => c.convention).sort(), ['CD1', 'CD2']);
  const { context, page } = await newPage(1280, 900);
  await page.goto(`${base()}/#/`);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Conventions', exact: true }).click();
  await page.getByRole('heading', { name: 'District conventions' }).waitFor();
  // The heading comes before the list has loaded: wait for each link (one only: the locator is
  // strict), then count.
  for (const c of list) {
    await page.getByRole('link', { name: c.convention, exact: true }).waitFor();
    assert.equal(await page.getByRole('link', { name: c.convention, exact: true }).count(), 1, c.convention);
  }
  await assertNoHorizontalOverflow(page, 'the list at 1280 px');
  await page.getByRole('link', { name: 'CD1', exact: true }).click();
  await waitFor('the hash route', async () => page.url().endsWith('#/conventions/CD1'));
  await checkPage(page, 'CD1', 'at 1280 px');
  assert.equal(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Conventions', exact: true }).getAttribute('aria-current'), 'page');
  await page.screenshot({ path: path.join(artifacts, 'conventions-1280.png'), fullPage: true });
  await context.close();
});
