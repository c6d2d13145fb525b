// Nevada's early-vote cards on the public pages, in Chromium at 360 px, against a real `canvass
// serve` holding the four precincts of web/test/fixtures/nevada-apportionment.csv under
// nevada-dem-2020, with the cards of fixtures/nevada-cards.csv loaded by `canvass init
// --early-votes` (the Nevada memo's examples: docs/caucus-math.md):
//   (e1) the chairs report the people in the room; /api/v1/results counts the cards with them
//        (first = first_in_person + first_early, final likewise, for the state and every county and
//        district), and the results page shows early, in person and total apart, each figure on
//        screen equal to the API's, without horizontal overflow;
//   (e2) the precinct page of Clark 1001 shows each alignment in person, early and in total equal to
//        GET /api/v1/precincts/{id}'s `alignments`; Washoe 2003 (first alignment only) shows no
//        final figure.
// Every wait is for a condition; nothing sleeps for a fixed time.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { h, here, useServer, waitFor, api, tokenFor, chairCode, precinctId, newPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';

const CANDIDATES = ['Biden', 'Buttigieg', 'Sanders', 'Steyer', 'Warren'];
useServer({
  initArgs: [
    '--apportionment', path.join(here, 'fixtures/nevada-apportionment.csv'),
    '--rules', 'nevada-dem-2020', '--name', 'Early vote test',
    ...CANDIDATES.flatMap((c) => ['--candidate', c]),
    '--early-votes', path.join(here, 'fixtures/nevada-cards.csv'),
  ],
});

// In person, as the chairs report it.
const REPORTS = [
  { at: ['Clark', '1001'], first: { Biden: 10, Buttigieg: 7, Sanders: 3 }, final: { Biden: 10, Buttigieg: 7, Sanders: 3 } },
  { at: ['Clark', '1002'], first: { Biden: 10, Buttigieg: 7, Warren: 1 }, final: { Biden: 10, Buttigieg: 8 } },
  { at: ['Washoe', '2002'], first: { Biden: 8, Sanders: 12 }, final: { Biden: 8, Sanders: 12 } },
  { at: ['Washoe', '2003'], first: { Sanders: 5, Warren: 3 } },
];

let reported = false;
async function reportAll() {
  if (reported) return;
  reported = true;
  for (const [i, rep] of REPORTS.entries()) {
    const [county, name] = rep.at;
    const id = await precinctId(county, name);
    const token = await tokenFor(chairCode(county, name));
    let r = await api('POST', `/api/v1/precincts/${id}/first`, { token, body: { submission: `e-first-${i}`, first: rep.first } });
    assert.equal(r.status, 201, r.text);
    if (rep.final) {
      r = await api('POST', `/api/v1/precincts/${id}/final`, { token, body: { submission: `e-final-${i}`, final: rep.final } });
      assert.equal(r.status, 201, r.text);
    }
  }
}

const KEYS = ['first', 'first_in_person', 'first_early', 'final', 'final_in_person', 'final_early'];

test('(e1) the results page shows early, in person and total as /api/v1/results has them, at 360 px', async () => {
  await reportAll();
  const results = (await api('GET', '/api/v1/results')).json;
  assert.equal(results.reporting.included, 4);
  // The API's own contract first: every area of both sides adds up, and the cards are in.
  for (const side of ['reported', 'computed']) {
    const t = results.totals[side];
    const areas = [t.state, ...Object.values(t.counties), ...Object.values(t.districts)];
    assert.equal(areas.length, 1 + 2 + 3);
    for (const area of areas) {
      for (const c of CANDIDATES) {
        for (const k of KEYS) assert.equal(typeof area[c][k], 'number', `${side} ${c} ${k}`);
        assert.equal(area[c].first, area[c].first_in_person + area[c].first_early);
        assert.equal(area[c].final, area[c].final_in_person + area[c].final_early);
      }
    }
  }
  const state = results.totals.computed.state;
  assert.ok(CANDIDATES.some((c) => state[c].first_early > 0), 'no early-vote card counted');

  const { context, page } = await newPage(360, 800);
  try {
    await page.goto(`${h.base}/#/`);
    await page.getByTestId('early-vote-totals').waitFor();
    const text = async (id) => (await page.getByTestId(id).textContent()).trim();
    // The page may have fetched before the last report: wait until it shows the API's totals.
    await waitFor('the results page to show every report', async () => (await text(`ev-final-total-Sanders`)) === String(state.Sanders.final));
    for (const c of CANDIDATES) {
      for (const key of ['first', 'final']) {
        assert.equal(await text(`ev-${key}-in_person-${c}`), String(state[c][`${key}_in_person`]), `${c} ${key} in person`);
        assert.equal(await text(`ev-${key}-early-${c}`), String(state[c][`${key}_early`]), `${c} ${key} early`);
        assert.equal(await text(`ev-${key}-total-${c}`), String(state[c][key]), `${c} ${key} total`);
        // The main totals table shows the same totals.
        assert.equal(await text(`${key}-${c}`), String(state[c][key]), `${c} ${key} in the totals table`);
      }
    }
    await assertNoHorizontalOverflow(page, 'results with early vote at 360 px');
    await page.screenshot({ path: path.join(artifacts, 'early-vote-results-360.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('(e2) the precinct page shows each alignment in person, early and in total, at 360 px', async () => {
  await reportAll();
  const { context, page } = await newPage(360, 800);
  try {
    for (const [county, name] of [['Clark', '1001'], ['Washoe', '2003']]) {
      const id = await precinctId(county, name);
      const p = (await api('GET', `/api/v1/precincts/${id}`)).json;
      const a = p.alignments;
      assert.ok(a, `${county} ${name}: no alignments`);
      for (const c of CANDIDATES) {
        assert.equal(a.total.first[c] ?? 0, (a.in_person.first[c] ?? 0) + (a.early.first[c] ?? 0));
      }
      assert.ok(Object.keys(a.early.first).length > 0, `${county} ${name}: no card counted`);
      await page.goto(`${h.base}/#/precinct/${id}`);
      await page.getByTestId('precinct-early-vote').waitFor();
      const named = CANDIDATES.filter((c) => (a.total.first[c] ?? 0) > 0 || (a.total.final?.[c] ?? 0) > 0);
      for (const c of named) {
        for (const key of ['first', 'final']) {
          for (const part of ['in_person', 'early', 'total']) {
            const want = a[part][key] ? String(a[part][key][c] ?? 0) : '–';
            const got = (await page.getByTestId(`pev-${key}-${part}-${c}`).textContent()).trim();
            assert.equal(got, want, `${county} ${name}: ${c} ${key} ${part}`);
          }
        }
      }
      if (name === '2003') assert.equal(a.total.final, null);
      await assertNoHorizontalOverflow(page, `precinct ${county} ${name} at 360 px`);
      await page.screenshot({ path: path.join(artifacts, `early-vote-precinct-${id}-360.png`), fullPage: true });
    }
  } finally {
    await context.close();
  }
});
