// The convention officer's remaining forms and the voter's "have I voted", in Chromium at 360 px
// against a real `canvass serve` (docs/conventions.md "On the ledger"; web/src/pages/ConventionDesk.tsx):
//   the officer (#/officer) files a slate through the form (one naming no filer is refused beside
//   the form, what was typed kept), issues the voter roll (POST .../voters); two ballots tie the
//   one seat, the pool says needs-lots and the officer's lots form shows the tied slates; the order
//   drawn is recorded; voting is closed after a confirmation step;
//   the voters (#/voter, codes from the roll): one votes through the page and sees "You voted" with
//   the event number, time and hash of GET .../my-ballot, the ledger's (the hash the next event
//   chains), again after a reload; another's ballot after the close is refused (voting-closed).
// After each step every figure the officer's page shows equals GET /api/v1/conventions/CD7. The
// only wait on the clock is the filing deadline, 4 s after the procedure.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { h, useServer, waitFor, api, tokenFor, ledgerSince, newPage, loginPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';

const ready = useServer();
let n = 0;
const sub = () => `officer-${++n}`;

async function post(token, p, body, status = 201) {
  const r = await api('POST', p, { token, body: { submission: sub(), ...body } });
  assert.equal(r.status, status, `${p}: ${r.text}`);
  return r;
}

const convention = async () => {
  const r = await api('GET', '/api/v1/conventions/CD7');
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const text = async (page, testid) => (await page.getByTestId(testid).first().textContent()).trim();

// The officer's summary, its slates form's filers and its lots forms: every figure equals the
// API's once the page has reloaded after the write (waited for, not slept).
async function checkOfficer(page, what) {
  return waitFor(`officer: ${what}`, async () => {
    const c = await convention();
    assert.equal(await text(page, 'officer-stage-filing'), c.filing ? `opened ${c.filing.time}` : 'not open');
    assert.equal(await text(page, 'officer-stage-voting'), c.voting ? `opened ${c.voting.time}` : 'not open');
    assert.equal(await text(page, 'officer-closed'), c.closed ? `voting closed ${c.closed.time}` : 'not closed');
    for (const f of c.filers) assert.equal(await text(page, `officer-filer-${f.name}-review`), f.review);
    assert.equal(await page.getByTestId(/^officer-pool-[^-]+$/).count(), c.results.length);
    for (const r of c.results) {
      const id = `officer-pool-${r.pool}`;
      assert.equal(await text(page, `${id}-status`), r.status.replace(/-/g, ' '));
      if (r.message) assert.equal(await text(page, `${id}-message`), r.message);
      if (r.source) assert.equal(await text(page, `${id}-source`), r.source.tally !== undefined ? `the officers' tally (event ${r.source.tally})` : `${r.source.ballots} ballots`);
      for (const [o, v] of Object.entries(r.votes ?? {})) {
        assert.equal(await text(page, `${id}-votes-${o}`), String(v), `${id}: ${o}'s votes`);
        assert.equal(await text(page, `${id}-won-${o}`), String(r.won?.[o] ?? 0), `${id}: ${o}'s seats`);
      }
      assert.equal(await page.getByTestId(`lots-${r.pool}`).count(), r.status === 'needs-lots' ? 1 : 0, `${id}: the lots form`);
      if (r.status === 'needs-lots') assert.equal(await text(page, `lots-${r.pool}-tied`), r.tied.join(', '));
    }
    assert.equal(await page.getByTestId('close-form').count(), c.closed ? 0 : 1);
    await assertNoHorizontalOverflow(page, `officer: ${what}`);
    return c;
  });
}

// The voter's "have I voted" card equals GET .../my-ballot for its token.
async function checkMine(page, token, what) {
  return waitFor(`voter: ${what}`, async () => {
    const r = await api('GET', '/api/v1/conventions/CD7/my-ballot', { token });
    assert.equal(r.status, 200, r.text);
    for (const p of r.json.pools) {
      assert.equal(await text(page, `my-ballot-${p.pool}-status`), p.voted ? 'You voted' : 'Not voted');
      if (p.ballot) {
        assert.equal(await text(page, `my-ballot-${p.pool}-seq`), String(p.ballot.seq));
        assert.equal(await text(page, `my-ballot-${p.pool}-time`), p.ballot.time);
        assert.equal(await text(page, `my-ballot-${p.pool}-hash`), p.ballot.hash);
      }
    }
    await assertNoHorizontalOverflow(page, `voter: ${what}`);
    return r.json;
  });
}

test('(o1) an officer files a slate, records the lots of a tie and closes voting; a voter sees its ballot on the ledger: every figure equals the API at 360 px', { timeout: 120_000 }, async () => {
  await ready;
  const admin = await tokenFor(h.codes.get('admin:admin'));
  await post(admin, '/api/v1/conventions', { convention: 'CD7', district: 'IA-07', notice_days: 0, min_approved_per_slot: 0 });
  // One seat under D'Hondt: one ballot for each slate ties it.
  const deadline = new Date(Date.now() + 4_000).toISOString();
  await post(admin, '/api/v1/conventions/CD7/procedures', { formula: 'dhondt', pools: [{ name: 'District', seats: 1 }], filing_deadline: deadline });
  await post(admin, '/api/v1/conventions/CD7/stages', { stage: 'filing' });
  for (const [name, preference] of [['Lu', 'Biden'], ['Mo', 'Biden'], ['Ny', 'Sanders']]) {
    await post(admin, '/api/v1/conventions/CD7/filings', { name, preference, gender: 'woman', district: 'IA-07', pledge: `I support ${preference}.` });
  }
  const officerCode = (await post(admin, '/api/v1/credentials/reissue', { role: 'officer', subject: 'CD7' })).json.code;
  const officerToken = await tokenFor(officerCode);
  const start = (await api('GET', '/api/v1/health')).json.seq;

  const officer = await newPage(360, 800);
  const page = officer.page;
  await loginPage(page, 'officer', officerCode);
  await page.getByRole('heading', { name: 'Convention CD7: officer' }).waitFor();
  await checkOfficer(page, 'filing open');
  assert.equal(await text(page, 'slate-standing'), 'Filers standing in pool District: Lu, Mo, Ny.');

  // A slate naming nobody who filed is refused beside the form; what was typed stays.
  await page.getByLabel('Slate name', { exact: true }).fill('Left');
  await page.getByLabel('Nominees, in list order, separated by commas', { exact: true }).fill('Lu, Zed');
  await page.getByRole('button', { name: 'File the slate' }).click();
  await page.getByTestId('slate-refusal').waitFor();
  assert.equal(await page.getByTestId('slate-refusal').getAttribute('data-code'), 'unknown-filer');
  assert.equal(await page.getByLabel('Slate name', { exact: true }).inputValue(), 'Left');
  assert.equal(await page.getByLabel('Nominees, in list order, separated by commas', { exact: true }).inputValue(), 'Lu, Zed');
  assert.equal((await convention()).slates.length, 0);
  await page.getByLabel('Nominees, in list order, separated by commas', { exact: true }).fill('Mo, Lu');
  await page.getByRole('button', { name: 'File the slate' }).click();
  await page.getByTestId('slate-done').waitFor();
  await page.getByLabel('Slate name', { exact: true }).fill('Right');
  await page.getByLabel('Nominees, in list order, separated by commas', { exact: true }).fill('Ny');
  await page.getByRole('button', { name: 'File the slate' }).click();
  await waitFor('two slates', async () => (await convention()).slates.length === 2);
  const slates = (await ledgerSince(start)).filter((e) => e.type === 'slate-filed').map((e) => [e.payload.slate, e.payload.nominees]);
  assert.deepEqual(slates, [['Left', ['Mo', 'Lu']], ['Right', ['Ny']]]);
  await checkOfficer(page, 'slates filed');

  // The roll: three codes for the pool, from the officer's own code.
  const roll = await post(officerToken, '/api/v1/conventions/CD7/voters', { pool: 'District', count: 3 });
  const codes = roll.json.voters.map((v) => v.code);
  assert.equal(new Set(roll.json.voters.map((v) => v.credential)).size, 3);
  await waitFor('the filing deadline to pass', async () =>
    (await api('POST', '/api/v1/conventions/CD7/stages', { token: officerToken, body: { submission: sub(), stage: 'voting' } })).status === 201, 20_000);
  let c = await checkOfficer(page, 'voting open');
  assert.equal(c.voter_roll[0].count, 3);

  // The first voter votes through the page and sees its ballot's event; the receipt, my-ballot
  // and the ledger agree.
  const voter = await newPage(360, 800);
  const voterToken = await tokenFor(codes[0]);
  await loginPage(voter.page, 'voter', codes[0]);
  await voter.page.getByRole('heading', { name: 'Your ballot in pool District' }).waitFor();
  await checkMine(voter.page, voterToken, 'not voted');
  await voter.page.getByLabel('Left: Mo, Lu', { exact: true }).check();
  await voter.page.getByRole('button', { name: 'Cast the ballot' }).click();
  await voter.page.getByTestId('ballot-done').waitFor();
  const mine = await checkMine(voter.page, voterToken, 'voted');
  const ballot = (await ledgerSince(start)).filter((e) => e.type === 'convention-ballot');
  assert.equal(ballot.length, 1);
  assert.equal(mine.pools[0].ballot.seq, ballot[0].seq);
  assert.equal(mine.pools[0].ballot.time, ballot[0].time);
  assert.ok((await text(voter.page, 'ballot-done')).includes(`(event ${ballot[0].seq})`));
  await voter.page.reload();
  await voter.page.getByTestId('my-ballot-District-seq').waitFor();
  await checkMine(voter.page, voterToken, 'after a reload');
  await voter.page.screenshot({ path: path.join(artifacts, 'convention-voter-my-ballot-360.png'), fullPage: true });

  // The second voter's ballot ties the seat: the officer's page shows the tied slates.
  const second = await post(await tokenFor(codes[1]), '/api/v1/conventions/CD7/ballots', { pool: 'District', slate: 'Right' });
  // The ledger chains the first ballot's hash, the one the voter was shown, into the next event.
  const next = (await ledgerSince(start)).find((e) => e.seq === mine.pools[0].ballot.seq + 1);
  assert.equal(next.prev, mine.pools[0].ballot.hash);
  assert.ok(second.json.receipt.seq >= next.seq);
  c = await checkOfficer(page, 'needs lots');
  const tied = c.results[0];
  assert.equal(tied.status, 'needs-lots', JSON.stringify(tied));
  assert.deepEqual(tied.tied, ['Left', 'Right']);
  const order = page.getByLabel('Order drawn in pool District, first drawn first, separated by commas', { exact: true });
  // An order leaving out a tied slate is refused on the page and kept.
  await order.fill('Right');
  await page.getByRole('button', { name: 'Record the lots for pool District' }).click();
  await page.getByTestId('lots-District-refusal').waitFor();
  assert.equal(await order.inputValue(), 'Right');
  await order.fill('Right, Left');
  await page.getByRole('button', { name: 'Record the lots for pool District' }).click();
  c = await waitFor('the lots', async () => { const x = await convention(); return x.results[0].lots && x; });
  assert.deepEqual(c.results[0].lots.order, ['Right', 'Left']);
  c = await checkOfficer(page, 'lots recorded');
  assert.equal(c.results[0].status, 'provisional');
  assert.deepEqual(c.results[0].won, { Left: 0, Right: 1 });
  await page.screenshot({ path: path.join(artifacts, 'convention-officer-lots-360.png'), fullPage: true });

  // Closing asks first; cancel leaves it open, confirm closes.
  await page.getByRole('button', { name: 'Close voting…' }).click();
  await page.getByTestId('close-confirm').waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await page.getByTestId('close-confirm').count(), 0);
  assert.equal((await convention()).closed, null);
  await page.getByRole('button', { name: 'Close voting…' }).click();
  await page.getByRole('button', { name: 'Yes, close voting' }).click();
  c = await waitFor('voting closed', async () => { const x = await convention(); return x.closed && x; });
  c = await checkOfficer(page, 'closed');
  assert.equal(c.results[0].status, 'final');

  // The third voter, after the close: refused on the page, nothing written.
  const late = await newPage(360, 800);
  const lateToken = await tokenFor(codes[2]);
  await loginPage(late.page, 'voter', codes[2]);
  await late.page.getByLabel('Right: Ny', { exact: true }).check();
  await late.page.getByRole('button', { name: 'Cast the ballot' }).click();
  await late.page.getByTestId('ballot-refusal').waitFor();
  assert.equal(await late.page.getByTestId('ballot-refusal').getAttribute('data-code'), 'voting-closed');
  assert.ok(await late.page.getByLabel('Right: Ny', { exact: true }).isChecked(), 'the ballot is kept');
  const lateMine = await checkMine(late.page, lateToken, 'refused after the close');
  assert.equal(lateMine.voted, false);
  assert.equal((await convention()).results[0].source.ballots, 2);
  for (const x of [officer, voter, late]) await x.context.close();
});
