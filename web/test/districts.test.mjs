// The geographic distribution page (#/districts), in Chromium at 360 and 1280 px, against a real
// `canvass serve` (POST /api/v1/districts/analyze is public and writes nothing):
//   (d1) each of the six maps of the worked example (ten blocks, X at 40%, 5 seats) chosen as a
//        preset and analysed: every figure on screen equals the API's answer to the same body,
//        fetched here, and X wins 2, 2, 1, 2, 0 and 3 seats; no horizontal overflow at 360 px.
//   (d2) a plan whose sub-pools' seats do not add up: the API's message beside the form, the
//        rows as typed, no answer drawn; then mended and analysed; the ledger untouched.
//   (d3) the navigation links the page; 1280 px, no overflow.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { h, useServer, waitFor, api, newPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';

const ready = useServer();

// The worked example, built here from its blocks as the spec gives them (not from the page).
const BLOCK_X = [920, 800, 700, 600, 330, 250, 200, 100, 50, 50];
const MAPS = [
  { pools: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], seats: [5], x: 2 },
  { pools: [[0, 1, 2, 3], [4, 5, 6, 7, 8, 9]], seats: [2, 3], x: 2 },
  { pools: [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]], seats: [2, 3], x: 1 },
  { pools: [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]], seats: [1, 1, 1, 1, 1], x: 2 },
  { pools: [[0, 8], [1, 7], [2, 6], [3, 5], [4, 9]], seats: [1, 1, 1, 1, 1], x: 0 },
  { pools: [[0, 7], [1, 5], [2, 4], [3, 8], [6, 9]], seats: [1, 1, 1, 1, 1], x: 3 },
];

// The body for a map's sub-pools as rows (one unit per sub-pool, as the page sends them).
function body(map, seats = map.seats) {
  const plan = [{ district: 'CD9', pool: '', seats: 5 }];
  const votes = [];
  map.pools.forEach((blocks, k) => {
    const pool = `P${k + 1}`;
    const x = blocks.reduce((s, b) => s + BLOCK_X[b], 0);
    plan.push({ district: 'CD9', pool, seats: seats[k] });
    votes.push({ pool, unit: pool, candidate: 'X', votes: x });
    votes.push({ pool, unit: pool, candidate: 'Y', votes: blocks.length * 1000 - x });
  });
  return { plan, votes, seats_per_voter_ratio: '5/4' };
}

async function analyze(b) {
  return api('POST', '/api/v1/districts/analyze', { body: b });
}

const text = async (page, testid) => (await page.getByTestId(testid).first().textContent()).trim();

// Every figure the page draws, against the API's answer; throws on the first difference.
async function checkFigures(page, a) {
  assert.equal(await text(page, 'answer-district'), a.district);
  assert.equal(await text(page, 'answer-seats'), String(a.seats));
  assert.equal(await text(page, 'answer-votes'), String(a.votes));
  const pools = [...a.sub_pools.map((p, k) => [`pool-${k}`, p, `Sub-pool ${p.pool}`]), ['one-pool', a.one_pool, 'The district as one pool']];
  assert.equal(await page.locator('[data-testid^="pool-"][data-testid$="-name"]').count(), a.sub_pools.length);
  for (const [id, p, label] of pools) {
    assert.equal(await text(page, `${id}-name`), label);
    assert.equal(await text(page, `${id}-seats`), String(p.seats), id);
    assert.equal(await text(page, `${id}-votes`), p.votes, id);
    assert.equal(await page.getByTestId(id).locator('.seat').count(), p.seats, `${id}: one block per seat`);
    for (const [i, c] of a.candidates.entries()) {
      assert.equal(await text(page, `${id}-alloc-${i}`), String(p.allocation[c.candidate]), `${id} ${c.candidate}`);
      assert.equal(await text(page, `${id}-share-${i}`), p.shares[c.candidate], `${id} ${c.candidate}`);
    }
  }
  for (const [i, c] of a.candidates.entries()) {
    assert.equal(await text(page, `cand-${i}-name`), c.candidate);
    for (const [testid, value] of [
      ['votes', c.votes], ['share', c.share], ['plan', c.plan_seats], ['one-pool', c.one_pool_seats],
      ['proportional', c.proportional], ['bonus', c.bonus], ['one-pool-bonus', c.one_pool_bonus], ['map-effect', c.map_effect],
    ]) {
      assert.equal(await text(page, `cand-${i}-${testid}`), String(value), `${c.candidate} ${testid}`);
    }
  }
  assert.equal(await text(page, 'lh-plan'), a.plan.loosemore_hanby);
  assert.equal(await text(page, 'lh-one-pool'), a.one_pool_indices.loosemore_hanby);
  assert.equal(await text(page, 'gallagher-plan'), a.plan.gallagher);
  assert.equal(await text(page, 'gallagher-square-plan'), a.plan.gallagher_square);
  assert.equal(await text(page, 'gallagher-one-pool'), a.one_pool_indices.gallagher);
  assert.equal(await text(page, 'gallagher-square-one-pool'), a.one_pool_indices.gallagher_square);
  for (const [testid, f] of [
    ['eg-star', a.eg_star], ['eg-delta', a.eg_delta], ['eg-plan', a.waste_droop.gap],
    ['eg-one-pool', a.one_pool_waste_droop.gap], ['eg-hare', a.waste_hare.gap],
  ]) {
    assert.equal(await text(page, testid), f.decimal, testid);
    assert.equal(await text(page, `${testid}-exact`), f.exact, testid);
  }
  assert.equal(await page.locator('[data-testid^="warning-"]').count(), a.warnings.length);
  for (const [i, w] of a.warnings.entries()) assert.equal(await text(page, `warning-${i}`), w);
  assert.equal(await page.locator('[data-testid^="note-"]').count(), a.notes.length);
  return true;
}

test('(d1) the six maps of the worked example: every figure equals the API, X wins 2, 2, 1, 2, 0, 3 at 360 px', { timeout: 180_000 }, async () => {
  await ready;
  const { context, page } = await newPage(360, 800);
  try {
    await page.goto(`${h.base}/#/districts`);
    await page.getByRole('heading', { name: 'Geographic distribution' }).waitFor();
    const seen = [];
    for (const [i, map] of MAPS.entries()) {
      const r = await analyze(body(map));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.candidates[0].plan_seats, map.x, `map ${i + 1}: the API`);
      await page.getByLabel('Worked example (10 blocks, X at 40%, 5 seats)').selectOption(String(i));
      assert.equal(await page.getByTestId(`row-${map.pools.length - 1}-pool`).inputValue(), `P${map.pools.length}`);
      await page.getByRole('button', { name: 'Analyze' }).click();
      // The answer drawn is the one for this map once every figure agrees with it.
      await waitFor(`map ${i + 1}'s figures`, () => checkFigures(page, r.json), 10_000).catch(async () => checkFigures(page, r.json));
      seen.push(Number(await text(page, 'cand-0-plan')));
      await assertNoHorizontalOverflow(page, `map ${i + 1} at 360 px`);
      await page.screenshot({ path: path.join(artifacts, `districts-map${i + 1}-360.png`), fullPage: true });
    }
    assert.deepEqual(seen, [2, 2, 1, 2, 0, 3]);
  } finally {
    await context.close();
  }
});

test('(d2) seats that do not add up: the API\'s message beside the form, the rows kept, nothing written', { timeout: 120_000 }, async () => {
  await ready;
  const before = (await api('GET', '/api/v1/health')).json.seq;
  const { context, page } = await newPage(360, 800);
  try {
    await page.goto(`${h.base}/#/districts`);
    await page.getByLabel('Worked example (10 blocks, X at 40%, 5 seats)').selectOption('1');
    await page.getByTestId('row-0-seats').fill('3');
    await page.getByTestId('row-1-votes-0').fill('2111');
    const bad = body(MAPS[1], [3, 3]);
    bad.votes[2].votes = 2111;
    const refused = await analyze(bad);
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.json.error.code, 'plan-seats-mismatch');
    await page.getByRole('button', { name: 'Analyze' }).click();
    const shown = page.getByTestId('districts-refusal');
    await shown.waitFor();
    assert.ok((await shown.textContent()).includes(refused.json.error.message), await shown.textContent());
    assert.equal(await shown.getAttribute('data-code'), 'plan-seats-mismatch');
    assert.equal(await shown.getAttribute('data-field'), refused.json.error.field);
    // The rows as typed.
    assert.equal(await page.getByTestId('row-0-seats').inputValue(), '3');
    assert.equal(await page.getByTestId('row-1-seats').inputValue(), '3');
    assert.equal(await page.getByTestId('row-1-votes-0').inputValue(), '2111');
    assert.equal(await page.getByTestId('row-0-votes-0').inputValue(), '3020');
    assert.equal(await page.getByTestId('row-0-pool').inputValue(), 'P1');
    assert.equal(await page.getByTestId('answer').count(), 0);
    await assertNoHorizontalOverflow(page, 'the refusal at 360 px');
    await page.screenshot({ path: path.join(artifacts, 'districts-refused-360.png'), fullPage: true });
    // Mended: the sub-pools' seats add up again, the typed votes analysed.
    await page.getByTestId('row-0-seats').fill('2');
    await page.getByRole('button', { name: 'Analyze' }).click();
    const mended = body(MAPS[1]);
    mended.votes[2].votes = 2111;
    const r = await analyze(mended);
    assert.equal(r.status, 200, r.text);
    await page.getByTestId('answer').waitFor();
    await checkFigures(page, r.json);
    assert.equal(await page.getByTestId('districts-refusal').count(), 0);
    assert.equal((await api('GET', '/api/v1/health')).json.seq, before, 'analysing wrote to the ledger');
  } finally {
    await context.close();
  }
});

test('(d3) the navigation links the page; 1280 px without overflow', { timeout: 60_000 }, async () => {
  await ready;
  const { context, page } = await newPage(1280, 900);
  try {
    await page.goto(`${h.base}/#/`);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Districts' }).click();
    await page.getByRole('heading', { name: 'Geographic distribution' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Districts' }).getAttribute('aria-current'), 'page');
    await page.getByLabel('Worked example (10 blocks, X at 40%, 5 seats)').selectOption('2');
    await page.getByRole('button', { name: 'Analyze' }).click();
    const r = await analyze(body(MAPS[2]));
    await waitFor('the PACK map', () => checkFigures(page, r.json), 10_000).catch(async () => checkFigures(page, r.json));
    assert.equal(r.json.warnings.length, 2);
    await assertNoHorizontalOverflow(page, 'the page at 1280 px');
    await page.screenshot({ path: path.join(artifacts, 'districts-1280.png'), fullPage: true });
  } finally {
    await context.close();
  }
});
