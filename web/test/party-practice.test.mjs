// The public precinct page under the party's practice (rules/iowa-dem-2020.toml, version 2), in
// Chromium at 360 px, against a real `canvass serve` holding the Iowa 2020 demo election. Two
// precincts are reported by their chairs with their real 2020 figures:
//   (p1) Black Hawk / Bennington: D = 1, 16 people, nobody has a majority; the delegate went to the
//        largest group (Buttigieg 5). The page shows the delegate the API computes and no error,
//        only the info that no group had a majority.
//   (p2) Carroll / Eden: D = 2; Biden 6, Buttigieg 7, Klobuchar 5 all viable, so the smallest,
//        Klobuchar, had to realign and went to Buttigieg. The final alignment is accepted (the
//        strict lock refused it), and the page shows the API's delegates and no error.
// Every wait is for a condition; nothing sleeps for a fixed time.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { h, useServer, api, tokenFor, chairCode, precinctId, newPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';

const ready = useServer();
const base = () => h.base;

const PRECINCTS = [
  {
    county: 'Black Hawk',
    name: 'Bennington',
    first: { Buttigieg: 5, Steyer: 4, Sanders: 3, Other: 2, Klobuchar: 1, Yang: 1 },
    final: { Buttigieg: 5, Steyer: 4, Sanders: 3, Other: 2, Klobuchar: 1, Yang: 1 },
    delegates: { Buttigieg: 1 },
    info: 'single-delegate-no-majority',
  },
  {
    county: 'Carroll',
    name: 'Eden',
    first: { Biden: 6, Bloomberg: 1, Buttigieg: 7, Klobuchar: 5, Sanders: 1 },
    final: { Biden: 7, Bloomberg: 1, Buttigieg: 12 },
    delegates: { Biden: 1, Buttigieg: 1 },
    info: 'smallest-group-released',
  },
];

async function report(p, i) {
  const id = await precinctId(p.county, p.name);
  const token = await tokenFor(chairCode(p.county, p.name));
  let r = await api('POST', `/api/v1/precincts/${id}/first`, { token, body: { submission: `pp-first-${i}`, first: p.first } });
  assert.equal(r.status, 201, r.text);
  r = await api('POST', `/api/v1/precincts/${id}/final`, { token, body: { submission: `pp-final-${i}`, final: p.final, delegates: p.delegates } });
  assert.equal(r.status, 201, r.text);
  return id;
}

for (const [i, p] of PRECINCTS.entries()) {
  test(`(p${i + 1}) ${p.county} / ${p.name}: the page shows the API's delegates and no error`, { timeout: 180_000 }, async () => {
    await ready;
    const id = await report(p, i);
    const precinct = (await api('GET', `/api/v1/precincts/${id}`)).json;
    // The API: the party's delegates are the computed ones; nothing is an error.
    assert.deepEqual(precinct.findings.filter((f) => f.severity === 'error'), []);
    assert.ok(precinct.findings.some((f) => f.code === p.info && f.severity === 'info'), JSON.stringify(precinct.findings));
    const computed = Object.fromEntries(precinct.computed.groups.map((g) => [g.candidate, g.delegates]));
    for (const [c, d] of Object.entries(p.delegates)) assert.equal(computed[c], d, c);

    const { context, page } = await newPage(360, 900);
    await page.goto(`${base()}/#/precinct/${id}`);
    await page.getByTestId('ws-findings').waitFor();
    for (const g of precinct.computed.groups) {
      assert.equal((await page.getByTestId(`ws-delegates-${g.candidate}`).textContent()).trim(), String(g.delegates), g.candidate);
    }
    assert.equal(await page.locator('[data-testid="ws-findings"] li.finding.error').count(), 0);
    assert.equal(await page.locator('[data-testid="ws-findings"] li.finding.info', { hasText: p.info }).count(), 1);
    await page.screenshot({ path: path.join(artifacts, `party-practice-${i + 1}-360.png`), fullPage: true });
    await assertNoHorizontalOverflow(page, `${p.county} / ${p.name} at 360 px`);
    await context.close();
  });
}
