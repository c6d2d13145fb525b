// The conventions' forms, by role, in Chromium at 360 px against a real `canvass serve` holding
// the Iowa 2020 demo election (docs/conventions.md "On the ledger"; web/src/pages/ConventionDesk.tsx):
//   the officer (#/officer): opening filing is refused for want of notice and the page names when
//     the notice ends (the end the refusal names); after an administrator's waiver it opens; a
//     non-binary candidate filed through the form; later voting opened and Biden's pool's tally
//     entered through the form;
//   the campaign (#/campaign): Biden's filers, the minimum approved per seat; striking Cal without a
//     reason is refused on the page and nothing is written, then struck with one; Ann approved;
//   the voter (#/voter, a code for CD1/Sanders): a block ballot cast, a second one refused
//     (duplicate-ballot); a voter of the whole convention refused after the close (voting-closed).
//   (f2) the ballot as each formula reads it (STV ranks, a D'Hondt slate, cumulative votes) and an
//     STV tally (ballots grouped by ranking), each as the ledger then holds it.
// After each step every figure the page shows equals GET /api/v1/conventions/CD1. Every wait is
// for a condition (the filing deadline passing on the clock is one).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { h, useServer, waitFor, api, tokenFor, ledgerSince, newPage, loginPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';

const ready = useServer();
let n = 0;
const sub = () => `forms-${++n}`;

async function post(token, p, body, status = 201) {
  const r = await api('POST', p, { token, body: { submission: sub(), ...body } });
  assert.equal(r.status, status, `${p}: ${r.text}`);
  return r;
}

async function reissue(admin, role, subject) {
  const r = await api('POST', '/api/v1/credentials/reissue', { token: admin, body: { role, subject } });
  assert.equal(r.status, 201, r.text);
  return r.json.code;
}

const convention = async (name = 'CD1') => {
  const r = await api('GET', `/api/v1/conventions/${name}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const text = async (page, testid) => (await page.getByTestId(testid).first().textContent()).trim();
const noticeEnd = (time, days) => new Date(Date.parse(time) + days * 86_400_000).toISOString();

// The officer's and the voter's summaries: every figure equals the API's, once the page has
// reloaded after the write (waited for, not slept).
async function checkSummary(page, prefix, what, { filers = true, name = 'CD1' } = {}) {
  return waitFor(`${prefix}: ${what}`, async () => {
    const c = await convention(name);
    assert.equal(await text(page, `${prefix}-district`), c.district);
    assert.equal(await text(page, `${prefix}-min-approved`), `${c.min_approved_per_slot} per seat`);
    assert.equal(await text(page, `${prefix}-stage-filing`), c.filing ? `opened ${c.filing.time}` : 'not open');
    assert.equal(await text(page, `${prefix}-stage-voting`), c.voting ? `opened ${c.voting.time}` : 'not open');
    assert.equal(await text(page, `${prefix}-closed`), c.closed ? `voting closed ${c.closed.time}` : 'not closed');
    if (filers) {
      for (const f of c.filers) {
        assert.equal(await text(page, `${prefix}-filer-${f.name}-preference`), f.preference);
        assert.equal(await text(page, `${prefix}-filer-${f.name}-gender`), f.gender);
        assert.equal(await text(page, `${prefix}-filer-${f.name}-review`), f.review);
        if (f.review_reason) assert.equal(await text(page, `${prefix}-filer-${f.name}-reason`), f.review_reason);
      }
    }
    assert.equal(await page.getByTestId(new RegExp(`^${prefix}-pool-[^-]+$`)).count(), c.results.length);
    for (const r of c.results) {
      const id = `${prefix}-pool-${r.pool}`;
      assert.equal(await text(page, `${id}-status`), r.status.replace(/-/g, ' '));
      if (r.message) assert.equal(await text(page, `${id}-message`), r.message);
      if (r.source) assert.equal(await text(page, `${id}-source`), r.source.tally !== undefined ? `the officers' tally (event ${r.source.tally})` : `${r.source.ballots} ballots`);
      for (const [o, v] of Object.entries(r.votes ?? {})) {
        assert.equal(await text(page, `${id}-votes-${o}`), String(v), `${id}: ${o}'s votes`);
        assert.equal(await text(page, `${id}-won-${o}`), String(r.won?.[o] ?? 0), `${id}: ${o}'s seats`);
      }
    }
    await assertNoHorizontalOverflow(page, `${prefix}: ${what}`);
    return c;
  });
}

// The campaign's card: its own filers, their reviews and the minimum approved, as the API has them.
async function checkCampaign(page, campaign, what) {
  return waitFor(`campaign ${campaign}: ${what}`, async () => {
    const c = await convention();
    const mine = c.filers.filter((f) => f.preference === campaign);
    assert.equal(await text(page, 'camp-CD1-min-approved'), `${c.min_approved_per_slot} per seat`);
    const pool = c.procedures.at(-1).pools.find((p) => p.preference === campaign);
    assert.equal(await text(page, 'camp-CD1-needed'), String(pool.seats * c.min_approved_per_slot));
    assert.equal(await text(page, 'camp-CD1-approved'), String(mine.filter((f) => f.review === 'approved').length));
    assert.equal(await page.getByTestId(/^camp-CD1-filer-[^-]+$/).count(), mine.length);
    for (const f of mine) {
      assert.equal(await text(page, `camp-CD1-filer-${f.name}-review`), f.review);
      if (f.review_reason) assert.equal(await text(page, `camp-CD1-filer-${f.name}-reason`), f.review_reason);
    }
    await assertNoHorizontalOverflow(page, `campaign: ${what}`);
    return c;
  });
}

const filing = (name, preference, gender) => ({
  name, preference, gender, district: 'IA-01', pledge: `I support ${preference} for the nomination.`,
});

test('(f1) a campaign strikes, an officer files and tallies, a voter votes once: every figure equals the API at 360 px', { timeout: 240_000 }, async () => {
  await ready;
  const admin = await tokenFor(h.codes.get('admin:admin'));
  const sanders = await tokenFor(h.codes.get('campaign:Sanders'));
  await post(admin, '/api/v1/conventions', { convention: 'CD1', district: 'IA-01' });
  const pools = [{ name: 'Biden', preference: 'Biden', seats: 2 }, { name: 'Sanders', preference: 'Sanders', seats: 2 }];
  // The deadline leaves the filings time on the clock; voting waits for it to pass.
  const deadline = new Date(Date.now() + 25_000).toISOString();
  await post(admin, '/api/v1/conventions/CD1/procedures', { formula: 'block', pools, filing_deadline: deadline });
  const officerCode = await reissue(admin, 'officer', 'CD1');
  const voterCode = await reissue(admin, 'voter', 'CD1/Sanders');
  const anyPoolCode = await reissue(admin, 'voter', 'CD1');

  // The officer: filing refused for want of notice; the page names the notice's end, the one the
  // refusal names.
  const officer = await newPage(360, 800);
  await loginPage(officer.page, 'officer', officerCode);
  await officer.page.getByRole('heading', { name: 'Convention CD1: officer' }).waitFor();
  let c = await checkSummary(officer.page, 'officer', 'published');
  await officer.page.getByLabel('Stage', { exact: true }).selectOption('filing');
  await officer.page.getByRole('button', { name: 'Open filing' }).click();
  const refusal = officer.page.getByTestId('stage-refusal');
  await refusal.waitFor();
  assert.equal(await refusal.getAttribute('data-code'), 'notice-too-short');
  const end = noticeEnd(c.procedures[0].time, c.notice_days);
  assert.equal(await text(officer.page, 'stage-refusal-notice-end'), end);
  assert.ok((await refusal.textContent()).includes(end), await refusal.textContent());
  c = await checkSummary(officer.page, 'officer', 'filing refused');
  assert.equal(c.filing, null);
  await officer.page.screenshot({ path: path.join(artifacts, 'convention-officer-notice-360.png'), fullPage: true });

  await post(admin, '/api/v1/conventions/CD1/waivers', { procedure: c.procedures[0].seq, stage: 'filing', reason: 'The hall is only free this week' });
  await officer.page.getByRole('button', { name: 'Open filing' }).click();
  c = await waitFor('filing to open', async () => (await convention()).filing);
  await checkSummary(officer.page, 'officer', 'filing open');

  // A non-binary candidate filed through the form; the rest by the API.
  await officer.page.getByLabel('Name', { exact: true }).fill('Kai');
  await officer.page.getByLabel('Preference', { exact: true }).selectOption('Sanders');
  await officer.page.getByLabel('Gender', { exact: true }).selectOption('non-binary');
  assert.equal(await officer.page.getByLabel('District', { exact: true }).inputValue(), 'IA-01');
  await officer.page.getByLabel('Pledge signed', { exact: true }).fill('I support Sanders for the nomination.');
  await officer.page.getByRole('button', { name: 'File', exact: true }).click();
  await officer.page.getByTestId('filing-done').waitFor();
  c = await checkSummary(officer.page, 'officer', 'Kai filed');
  const kai = c.filers.find((f) => f.name === 'Kai');
  assert.deepEqual([kai.preference, kai.gender, kai.district], ['Sanders', 'non-binary', 'IA-01']);
  // Filing Kai again is refused beside the form; what was typed stays.
  await officer.page.getByLabel('Name', { exact: true }).fill('Kai');
  await officer.page.getByLabel('Pledge signed', { exact: true }).fill('I support Sanders.');
  await officer.page.getByRole('button', { name: 'File', exact: true }).click();
  await officer.page.getByTestId('filing-refusal').waitFor();
  assert.equal(await officer.page.getByTestId('filing-refusal').getAttribute('data-code'), 'already-filed');
  assert.equal(await officer.page.getByLabel('Pledge signed', { exact: true }).inputValue(), 'I support Sanders.');
  for (const f of [filing('Ann', 'Biden', 'woman'), filing('Bo', 'Biden', 'man'), filing('Cal', 'Biden', 'man'), filing('Gus', 'Biden', 'man'),
    filing('Di', 'Sanders', 'woman'), filing('Ed', 'Sanders', 'man')]) {
    await post(admin, '/api/v1/conventions/CD1/filings', f);
  }
  await officer.page.reload();
  c = await checkSummary(officer.page, 'officer', 'filers in');
  assert.equal(c.filers.length, 7);

  // Biden's campaign: striking Cal without a reason is refused on the page and writes nothing;
  // then struck with one, and Ann approved, through the page.
  const camp = await newPage(360, 800);
  await loginPage(camp.page, 'campaign', h.codes.get('campaign:Biden'));
  await camp.page.getByTestId('camp-CD1').waitFor();
  await checkCampaign(camp.page, 'Biden', 'nothing reviewed');
  await camp.page.getByRole('button', { name: 'Strike Cal' }).click();
  await camp.page.getByTestId('camp-CD1-filer-Cal-refusal').waitFor();
  assert.equal(await camp.page.getByTestId('camp-CD1-filer-Cal-refusal').getAttribute('data-code'), 'reason-required');
  c = await checkCampaign(camp.page, 'Biden', 'strike refused');
  assert.equal(c.filers.find((f) => f.name === 'Cal').review, 'not-reviewed');
  const why = 'did not sign the pledge in person';
  await camp.page.getByLabel('Reason to strike Cal', { exact: true }).fill(why);
  await camp.page.getByRole('button', { name: 'Strike Cal' }).click();
  c = await waitFor('Cal struck', async () => (await convention()).filers.find((f) => f.name === 'Cal').review === 'struck' && convention());
  assert.equal(c.filers.find((f) => f.name === 'Cal').review_reason, why);
  await checkCampaign(camp.page, 'Biden', 'Cal struck');
  await camp.page.getByRole('button', { name: 'Approve Ann' }).click();
  await waitFor('Ann approved', async () => (await convention()).filers.find((f) => f.name === 'Ann').review === 'approved');
  await checkCampaign(camp.page, 'Biden', 'Ann approved');
  await camp.page.screenshot({ path: path.join(artifacts, 'convention-campaign-360.png'), fullPage: true });
  for (const f of ['Bo', 'Gus']) {
    await post(await tokenFor(h.codes.get('campaign:Biden')), '/api/v1/conventions/CD1/reviews', { filer: f, decision: 'approved' });
  }
  for (const f of ['Di', 'Kai']) await post(sanders, '/api/v1/conventions/CD1/reviews', { filer: f, decision: 'approved' });
  await camp.page.reload();
  await checkCampaign(camp.page, 'Biden', 'Bo and Gus approved by the API');

  // Voting, under a waiver of its own once the deadline has passed, opened by the officer's form.
  await waitFor('the filing deadline to pass', async () => Date.now() > Date.parse(deadline) + 1000, 60_000);
  await post(admin, '/api/v1/conventions/CD1/waivers', { procedure: c.procedures[0].seq, stage: 'voting', reason: 'The state convention is on Saturday' });
  await officer.page.getByLabel('Stage', { exact: true }).selectOption('voting');
  await officer.page.getByRole('button', { name: 'Open voting' }).click();
  await waitFor('voting to open', async () => (await convention()).voting);
  await checkSummary(officer.page, 'officer', 'voting open');

  // Biden's pool's tally through the form.
  await officer.page.getByLabel('Pool', { exact: true }).selectOption('Biden');
  assert.equal(await officer.page.getByLabel('Cal', { exact: true }).count(), 0, 'a struck filer is not on the tally');
  await officer.page.getByLabel('Bo', { exact: true }).fill('30');
  await officer.page.getByLabel('Gus', { exact: true }).fill('25');
  await officer.page.getByLabel('Ann', { exact: true }).fill('10');
  await officer.page.getByRole('button', { name: 'Enter the tally' }).click();
  await officer.page.getByTestId('tally-done').waitFor();
  c = await checkSummary(officer.page, 'officer', 'Biden tallied');
  const biden = c.results.find((r) => r.pool === 'Biden');
  assert.deepEqual(biden.votes, { Ann: 10, Bo: 30, Gus: 25 });
  assert.equal(biden.source.tally !== undefined, true);
  await officer.page.screenshot({ path: path.join(artifacts, 'convention-officer-tally-360.png'), fullPage: true });

  // The voter of Sanders's pool: one block ballot, a second refused.
  const voter = await newPage(360, 800);
  await loginPage(voter.page, 'voter', voterCode);
  await voter.page.getByRole('heading', { name: 'Your ballot in pool Sanders' }).waitFor();
  assert.ok((await text(voter.page, 'ballot-formula')).includes('Mark at most 2.'));
  await voter.page.getByLabel('Di', { exact: true }).check();
  await voter.page.getByLabel('Kai', { exact: true }).check();
  await voter.page.getByRole('button', { name: 'Cast the ballot' }).click();
  await voter.page.getByTestId('ballot-done').waitFor();
  c = await checkSummary(voter.page, 'voter', 'one ballot', { filers: false });
  const sandersPool = c.results.find((r) => r.pool === 'Sanders');
  assert.equal(sandersPool.source.ballots, 1);
  assert.deepEqual([sandersPool.votes.Di, sandersPool.votes.Kai], [1, 1]);
  await voter.page.getByRole('button', { name: 'Cast the ballot' }).click();
  await voter.page.getByTestId('ballot-refusal').waitFor();
  assert.equal(await voter.page.getByTestId('ballot-refusal').getAttribute('data-code'), 'duplicate-ballot');
  assert.ok(await voter.page.getByLabel('Di', { exact: true }).isChecked(), 'the ballot is kept');
  c = await checkSummary(voter.page, 'voter', 'second ballot refused', { filers: false });
  assert.equal(c.results.find((r) => r.pool === 'Sanders').source.ballots, 1);
  await voter.page.screenshot({ path: path.join(artifacts, 'convention-voter-360.png'), fullPage: true });
  await officer.page.reload();
  await checkSummary(officer.page, 'officer', 'after the ballot');

  // After the close, a voter of the whole convention chooses Sanders's pool and is refused.
  await post(admin, '/api/v1/conventions/CD1/close', {});
  const late = await newPage(360, 800);
  await loginPage(late.page, 'voter', anyPoolCode);
  await late.page.getByLabel('Your pool', { exact: true }).selectOption('Sanders');
  await late.page.getByLabel('Ed', { exact: true }).check();
  await late.page.getByRole('button', { name: 'Cast the ballot' }).click();
  await late.page.getByTestId('ballot-refusal').waitFor();
  assert.equal(await late.page.getByTestId('ballot-refusal').getAttribute('data-code'), 'voting-closed');
  c = await checkSummary(late.page, 'voter', 'closed', { filers: false });
  assert.deepEqual(c.results.map((r) => r.status), ['final', 'final']);
  assert.equal(c.results.find((r) => r.pool === 'Sanders').source.ballots, 1);
  for (const x of [officer, camp, voter, late]) await x.context.close();
});

// The ballot as each formula reads it, at 360 px: ranks under STV, a slate under D'Hondt, votes
// heaped under cumulative voting; each cast once, as the API then counts it.
test('(f2) a ranked, a slate and a cumulative ballot through the voter\'s page; an STV tally through the officer\'s', { timeout: 120_000 }, async () => {
  await ready;
  const admin = await tokenFor(h.codes.get('admin:admin'));
  const deadline = new Date(Date.now() + 6_000).toISOString();
  const kinds = [['CD2', 'IA-02', 'stv'], ['CD3', 'IA-03', 'dhondt'], ['CD4', 'IA-04', 'cumulative'], ['CD5', 'IA-05', 'stv']];
  const people = ['Lu', 'Mo', 'Ny'];
  for (const [name, district, formula] of kinds) {
    await post(admin, '/api/v1/conventions', { convention: name, district, notice_days: 0 });
    await post(admin, `/api/v1/conventions/${name}/procedures`, { formula, pools: [{ name: 'District', seats: 2 }], filing_deadline: deadline });
    await post(admin, `/api/v1/conventions/${name}/stages`, { stage: 'filing' });
    for (const [i, p] of people.entries()) {
      await post(admin, `/api/v1/conventions/${name}/filings`, { ...filing(p, i ? 'Sanders' : 'Biden', 'woman'), district });
    }
  }
  await post(admin, '/api/v1/conventions/CD3/slates', { pool: 'District', slate: 'Left', nominees: ['Lu', 'Mo'] });
  await post(admin, '/api/v1/conventions/CD3/slates', { pool: 'District', slate: 'Right', nominees: ['Ny'] });
  for (const [name] of kinds) {
    await waitFor(`${name}'s voting to open`, async () =>
      (await api('POST', `/api/v1/conventions/${name}/stages`, { token: admin, body: { submission: sub(), stage: 'voting' } })).status === 201, 60_000);
  }
  const votes = async (name) => (await api('GET', `/api/v1/conventions/${name}`)).json.results[0];
  // The ballot the page sent, as the ledger holds it.
  const start = (await api('GET', '/api/v1/health')).json.seq;
  const ballotOf = async (name) => (await ledgerSince(start)).filter((e) => e.type === 'convention-ballot' && e.payload.convention === name).map((e) => e.payload);

  const { context, page } = await newPage(360, 800);
  const cast = async (name, fill) => {
    await loginPage(page, 'voter', await reissue(admin, 'voter', name));
    await page.getByRole('heading', { name: 'Your ballot in pool District' }).waitFor();
    await fill();
    await page.getByRole('button', { name: 'Cast the ballot' }).click();
    await page.getByTestId('ballot-done').waitFor();
    await checkSummary(page, 'voter', `${name} cast`, { filers: false, name });
    await page.getByRole('button', { name: 'Log out' }).click();
  };
  await cast('CD2', async () => {
    await page.getByLabel("Mo's rank", { exact: true }).fill('1');
    await page.getByLabel("Lu's rank", { exact: true }).fill('2');
  });
  const stv = await votes('CD2');
  assert.equal(stv.source.ballots, 1);
  assert.deepEqual((await ballotOf('CD2')).map((b) => b.ranking), [['Mo', 'Lu']]);
  await cast('CD3', async () => page.getByLabel('Left: Lu, Mo', { exact: true }).check());
  const slate = await votes('CD3');
  assert.equal(slate.source.ballots, 1);
  assert.deepEqual((await ballotOf('CD3')).map((b) => b.slate), ['Left']);
  await cast('CD4', async () => page.getByLabel('Votes for Ny', { exact: true }).fill('2'));
  const heaped = await votes('CD4');
  assert.equal(heaped.source.ballots, 1);
  assert.deepEqual((await ballotOf('CD4')).map((b) => b.marks), [{ Ny: 2 }]);
  // Ny's two votes elect her; Lu and Mo tie at nothing for the second seat: the lots decide.
  assert.equal(heaped.status, 'needs-lots', JSON.stringify(heaped));
  await assertNoHorizontalOverflow(page, 'the ballots');

  // CD5's officers count STV on paper: the ballots grouped by ranking. A malformed line is refused
  // on the page and kept; then the tally.
  await loginPage(page, 'officer', await reissue(admin, 'officer', 'CD5'));
  await page.getByRole('heading', { name: 'Convention CD5: officer' }).waitFor();
  const box = page.getByLabel(/^Ballots in pool District/);
  await box.fill('3: Mo, Lu\nthree: Ny');
  await page.getByRole('button', { name: 'Enter the tally' }).click();
  await page.getByTestId('tally-refusal').waitFor();
  assert.equal(await page.getByTestId('tally-refusal').getAttribute('data-code'), 'malformed-tally');
  assert.equal(await box.inputValue(), '3: Mo, Lu\nthree: Ny');
  await box.fill('3: Mo, Lu\n2: Ny');
  await page.getByRole('button', { name: 'Enter the tally' }).click();
  await page.getByTestId('tally-done').waitFor();
  const tally = (await ledgerSince(start)).filter((e) => e.type === 'convention-tally' && e.payload.convention === 'CD5').map((e) => e.payload.ballots);
  assert.deepEqual(tally, [[{ ranking: ['Mo', 'Lu'], count: 3 }, { ranking: ['Ny'], count: 2 }]]);
  const c5 = await checkSummary(page, 'officer', 'CD5 tallied', { name: 'CD5' });
  assert.equal(c5.results[0].source.tally !== undefined, true, JSON.stringify(c5.results[0]));
  await assertNoHorizontalOverflow(page, 'the STV tally');
  await context.close();
});
