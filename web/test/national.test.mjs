// The national view a reader expects, in Chromium at 360 and 1440 px, against a real
// `canvass serve` holding the Iowa 2020 demo election with a few precincts reported by their
// chairs, and the 2020 delegates, early-state votes and calendar given by --national-*:
//   (n1) every candidate's pledged delegates, needs and status on screen equal /api/v1/national,
//        Iowa's live (it moves when a chair reports), New Hampshire's from the votes file; the
//        majorities with their rules; the path chart is named and has its table; a state's pools
//        open by keyboard; no horizontal overflow.
// Every wait is for a condition; nothing sleeps for a fixed time.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { h, root, useServer, waitFor, api, tokenFor, chairCode, precinctId, newPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';

const data = path.join(root, 'data/dnc-2020');
useServer({
  serveArgs: [
    '--national-delegates', path.join(data, 'delegates.csv'),
    '--national-votes', path.join(data, 'votes-early-states.csv'),
    '--national-calendar', path.join(data, 'calendar.csv'),
  ],
});
const base = () => h.base;

const REPORTS = [
  { county: 'Adair', name: '1NW ADAIR', final: { Buttigieg: 30, Sanders: 20, Warren: 13 }, delegates: { Buttigieg: 4, Sanders: 2, Warren: 2 } },
  { county: 'Adair', name: '2NE STUART', final: { Sanders: 40, Biden: 30, Warren: 30 }, delegates: { Sanders: 5, Biden: 3, Warren: 3 } },
];

async function report(rep, i) {
  const id = await precinctId(rep.county, rep.name);
  const token = await tokenFor(chairCode(rep.county, rep.name));
  let r = await api('POST', `/api/v1/precincts/${id}/first`, { token, body: { submission: `n-first-${i}`, first: rep.final } });
  assert.equal(r.status, 201, r.text);
  r = await api('POST', `/api/v1/precincts/${id}/final`, { token, body: { submission: `n-final-${i}`, final: rep.final, delegates: rep.delegates } });
  assert.equal(r.status, 201, r.text);
}

const text = async (page, testid) => (await page.getByTestId(testid).textContent()).trim();

// Every candidate's figures on screen equal the API's, once the page has caught up with `seq`.
async function checkTable(page, national) {
  for (const s of national.national.standings) {
    await waitFor(`${s.candidate}'s pledged delegates`, async () => (await text(page, `won-${s.candidate}`)) === String(s.won));
    assert.match(await text(page, `needs-${s.candidate}`), new RegExp(`^${s.needs}\\b`), s.candidate);
    assert.equal(await text(page, `status-${s.candidate}`), s.status, s.candidate);
  }
}

test('(n1) the national table, majorities, path and pools equal the API at 360 and 1440 px', { timeout: 180_000 }, async () => {
  await report(REPORTS[0], 0);
  for (const width of [1440, 360]) {
    const { context, page } = await newPage(width, 900);
    await page.goto(`${base()}/#/national`);
    await page.getByRole('heading', { name: 'National delegate count' }).waitFor();
    let national = (await api('GET', '/api/v1/national')).json;
    assert.equal(national.state, 'Iowa');
    const iowa = national.national.states.find((s) => s.state === 'Iowa');
    assert.equal(iowa.status, 'voted');
    assert.ok(Object.values(iowa.won).reduce((a, b) => a + b, 0) > 0, 'Iowa has no delegates yet');
    await checkTable(page, national);
    assert.equal(await text(page, 'majority'), '1991 of 3979 pledged delegates');
    assert.equal(await text(page, 'later-majority'), '2375.5 of 4750 votes (automatic delegates join)');
    // The chart is named, and its table has a row per contest date with the same figures.
    assert.equal(await page.getByRole('img', { name: /first-ballot majority of 1991/ }).count(), 1);
    const nh = national.national.states.find((s) => s.state === 'New Hampshire');
    const cumulative = (c) => (iowa.won[c] ?? 0) + (nh.won[c] ?? 0);
    for (const c of ['Sanders', 'Buttigieg']) {
      assert.equal(await text(page, `path-2020-02-11-${c}`), String(cumulative(c)), `${c} after New Hampshire`);
    }
    // New Hampshire's pools open from the keyboard.
    const summary = page.getByTestId('state-New Hampshire').locator('summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('rowheader', { name: 'PLEO' }).first().waitFor();
    assert.equal(await page.getByTestId('state-New Hampshire').getAttribute('open'), '');
    await assertNoHorizontalOverflow(page, `national at ${width} px`);
    await page.screenshot({ path: path.join(artifacts, `national-${width}.png`), fullPage: true });

    if (width === 1440) {
      // A second chair reports: Iowa's row follows, and the page with it.
      await report(REPORTS[1], 1);
      const before = JSON.stringify(iowa.won);
      await waitFor('the national count to move', async () => {
        national = (await api('GET', '/api/v1/national')).json;
        return JSON.stringify(national.national.states.find((s) => s.state === 'Iowa').won) !== before;
      });
      await checkTable(page, national);
    }
    await context.close();
  }
});
