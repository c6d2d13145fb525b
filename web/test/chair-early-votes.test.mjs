// Nevada's early-vote cards on the chair's page and the hotline's, in Chromium at 360 px, against a
// real `canvass serve` holding web/test/fixtures/nevada-chair-apportionment.csv under
// nevada-dem-2020 with the cards of fixtures/nevada-chair-cards.csv (`canvass init --early-votes`).
// The figures are the Nevada memo's examples with some people voting early:
//   (c1) Carson City 109 (D = 10, Principle 3 Example B): five cards rank Steyer > Sanders > Biden
//        and three are void. The chair types the people in the room only; the page shows, beside
//        them, each alignment's early and total figures, T (in person + cards), the threshold, the
//        five cards moving from Steyer to Sanders and the void cards, every number equal to the
//        API's (the preview's, then the precinct's). A final alignment larger than the first is
//        refused with the API's message, nothing is sent, and the corrected figures go through:
//        Biden 5, Sanders 5, as in the memo. No horizontal overflow.
//   (c2) Carson City 411 (D = 4, Principle 2 Example A) phoned in: two operators enter each
//        alignment; the page shows the two cards with no viable choice (T = 76, none of their
//        choices viable) before and after the entries agree, equal to the API's.
// Every wait is for a condition; nothing sleeps for a fixed time.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  h, here, useServer, waitFor, api, tokenFor, chairCode, precinctId, newPage, loginPage,
  assertNoHorizontalOverflow, artifacts,
} from './harness.mjs';

const CANDIDATES = ['Biden', 'Buttigieg', 'Gabbard', 'Klobuchar', 'Sanders', 'Steyer', 'Warren', 'Yang'];
useServer({
  initArgs: [
    '--apportionment', path.join(here, 'fixtures/nevada-chair-apportionment.csv'),
    '--rules', 'nevada-dem-2020', '--name', 'Nevada chair test',
    ...CANDIDATES.flatMap((c) => ['--candidate', c]),
    '--early-votes', path.join(here, 'fixtures/nevada-chair-cards.csv'),
  ],
});

const WIDTH = 360;

async function precinct(id) {
  const r = await api('GET', `/api/v1/precincts/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function fill(page, prefix, figures) {
  for (const [c, v] of Object.entries(figures)) await page.locator(`#${prefix}-${c}`).fill(String(v));
}

const text = async (locator) => (await locator.textContent()).trim();

// The rows of an alignment table on screen: { candidate: [in person, early, total] }.
async function rowsOnScreen(page, testid) {
  return page.getByTestId(testid).locator('tbody tr').evaluateAll((trs) =>
    Object.fromEntries(trs.map((tr) => [
      tr.getAttribute('data-group'),
      ['in_person', 'early', 'total'].map((k) => Number(tr.querySelector(`[data-cell="${k}"]`).textContent.trim())),
    ])),
  );
}
const rowsOf = (rows) => Object.fromEntries(rows.map((r) => [r.candidate, [r.in_person, r.early, r.total]]));

// The early-vote panel `t` on screen equals the API's worksheet `w`: T, its parts, the threshold,
// viability, each alignment's rows, the moves and the cards with no viable choice.
async function assertPanel(page, t, w) {
  assert.equal(await text(page.getByTestId(`${t}-attendance`)), `${w.attendance} = ${w.in_person} in person + ${w.early} early`);
  assert.equal(await text(page.getByTestId(`${t}-threshold-head-count`)), `${w.threshold_head_count} people`);
  assert.equal(await text(page.getByTestId(`${t}-viable`)), w.viable.join(', '));
  assert.deepEqual(await rowsOnScreen(page, `${t}-first`), rowsOf(w.first));
  if (w.final) assert.deepEqual(await rowsOnScreen(page, `${t}-final`), rowsOf(w.final));
  else assert.equal(await page.getByTestId(`${t}-final`).count(), 0);
  const moves = await page.getByTestId(`${t}-move`).evaluateAll((els) =>
    els.map((e) => ({ from: e.getAttribute('data-from'), to: e.getAttribute('data-to'), cards: Number(e.getAttribute('data-cards')) })));
  assert.deepEqual(moves, w.moves);
  const dropped = page.getByTestId(`${t}-no-viable`);
  if (w.no_viable_choice.cards > 0) assert.equal(Number(await dropped.getAttribute('data-cards')), w.no_viable_choice.cards);
  else assert.equal(await dropped.count(), 0);
}

test('(c1) a Nevada chair at 360 px: the cards beside the room, a refused figure, the memo\'s 5 and 5', { timeout: 240_000 }, async () => {
  const id = await precinctId('Carson City', '109');
  const token = await tokenFor(chairCode('Carson City', '109'));
  const before = await precinct(id);
  assert.equal(before.delegates, 10);
  assert.equal(before.early_votes.valid, 5);

  const { context, page } = await newPage(WIDTH, 900);
  await loginPage(page, 'chair', chairCode('Carson City', '109'));
  await page.getByRole('heading', { name: 'Carson City / 109' }).waitFor();
  // Before anything is typed: the cards, their first choices and the void ones.
  assert.equal(await text(page.getByTestId('fact-early')), `${before.early_votes.valid} valid, ${before.early_votes.void} void`);
  assert.equal(await text(page.getByTestId('ev0-first-choices')), 'First choices on the cards: Steyer 5.');
  const voids = await page.getByTestId('ev0-void-cards').locator('li[data-card]').evaluateAll((els) => els.map((e) => e.getAttribute('data-card')));
  assert.deepEqual(voids, before.early_votes.void_cards.map((c) => c.id));
  assert.match(await page.getByRole('group', { name: /People in the room in each group at the first alignment/ }).textContent(), /Biden/);

  // The first alignment, in the room: 70 people; the server adds the five cards.
  const first = { Biden: 23, Sanders: 22, Buttigieg: 25 };
  await fill(page, 'first', first);
  const preview = (await api('POST', `/api/v1/precincts/${id}/preview`, { token, body: { first } })).json;
  const w1 = preview.early_votes.worksheet;
  assert.equal(w1.attendance, 75);
  await waitFor('the early-vote worksheet', async () => (await page.getByTestId('ev-attendance').count()) === 1 &&
    (await text(page.getByTestId('ev-attendance'))).startsWith('75 '));
  assert.equal(await text(page.getByTestId('ws-attendance')), String(preview.viability.attendance));
  await assertPanel(page, 'ev', w1);
  assert.deepEqual(w1.moves, [{ from: 'Steyer', to: 'Sanders', cards: 5 }]);
  await assertNoHorizontalOverflow(page, 'chair page with cards, first alignment');
  await page.screenshot({ path: path.join(artifacts, `chair-early-first-${WIDTH}.png`), fullPage: true });
  await page.getByRole('button', { name: 'Review first alignment' }).click();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByRole('heading', { name: '2. Final alignment' }).waitFor();
  await waitFor('the first alignment on the server', async () => (await precinct(id)).status === 'first-reported');

  // Unhappy path: Buttigieg's 25 left, but the chair types 48 for Sanders (70 in the room at the
  // first count): the server refuses it, the page says why in the API's words, and nothing is sent.
  const seq = (await api('GET', '/api/v1/health')).json.seq;
  await waitFor('the final boxes to start from the first alignment', async () => (await page.locator('#final-Biden').inputValue()) === '23');
  const wrong = { Biden: 23, Sanders: 48, Buttigieg: 0 };
  await fill(page, 'final', wrong);
  const refused = await api('POST', `/api/v1/precincts/${id}/preview`, { token, body: { final: wrong } });
  assert.equal(refused.status, 422, refused.text);
  assert.equal(refused.json.error.code, 'final-exceeds-attendance');
  await waitFor('the refusal', async () => (await page.getByTestId('preview-error').count()) === 1);
  assert.ok((await text(page.getByTestId('preview-error'))).includes(refused.json.error.message), await text(page.getByTestId('preview-error')));
  assert.ok(await page.getByRole('button', { name: 'Review final alignment' }).isDisabled());
  assert.equal(await page.getByTestId('ev-panel').count(), 0, 'no early-vote figures beside a refused alignment');
  assert.equal((await api('GET', '/api/v1/health')).json.seq, seq, 'nothing was written');

  // The figures as the worksheet says: Sanders 22 in the room, plus the five cards moved there.
  const final = { Biden: 23, Sanders: 22, Buttigieg: 0 };
  await fill(page, 'final', final);
  await waitFor('the refusal to clear', async () => (await page.getByTestId('preview-error').count()) === 0);
  await waitFor('the final early-vote figures', async () => (await page.getByTestId('ev-final').count()) === 1);
  const p2 = (await api('POST', `/api/v1/precincts/${id}/preview`, { token, body: { final } })).json;
  await waitFor('the preview to settle', async () => !(await page.getByRole('button', { name: 'Review final alignment' }).isDisabled()));
  await assertPanel(page, 'ev', p2.early_votes.worksheet);
  assert.deepEqual(p2.early_votes.worksheet.final.find((r) => r.candidate === 'Sanders'),
    { candidate: 'Sanders', in_person: 22, early: 5, total: 27, viable: true });
  await page.getByRole('button', { name: 'Copy the computed delegates' }).click();
  assert.equal(await page.locator('#delegates-Biden').inputValue(), '5');
  assert.equal(await page.locator('#delegates-Sanders').inputValue(), '5');
  await page.getByRole('button', { name: 'Review final alignment' }).click();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await waitFor('the final alignment on the server', async () => (await precinct(id)).status === 'final-reported');
  const after = await precinct(id);
  assert.deepEqual(after.reported.final, { Biden: 23, Sanders: 22 });
  assert.deepEqual(after.computed.delegates, { Biden: 5, Sanders: 5 });
  // The page now shows the report as the server has it, cards and all.
  await page.getByRole('heading', { name: '4. Review and confirm' }).waitFor();
  await waitFor('the recorded early-vote figures', async () => (await page.getByTestId('ev-final').count()) === 1);
  await assertPanel(page, 'ev', after.early_votes.worksheet);
  await assertNoHorizontalOverflow(page, 'chair page with cards, final alignment');
  await page.screenshot({ path: path.join(artifacts, `chair-early-final-${WIDTH}.png`), fullPage: true });
  await context.close();
});

// On the operator's page: choose the precinct and stage, type the figures, press Enter.
// `w`: the API's early-vote worksheet for these figures, which the page must come to show.
async function enterOnPage(page, { id, stage, figures, delegates, w }) {
  await page.getByLabel('Find the precinct (number, county or name)').fill(String(id));
  await waitFor('the precinct in the picker', async () => (await page.locator(`#precinct-select option[value="${id}"]`).count()) === 1);
  await page.getByLabel('Precinct', { exact: true }).selectOption(String(id));
  await page.getByRole('radio', { name: stage === 'first' ? 'First alignment' : 'Final alignment' }).check();
  for (const [c, v] of Object.entries(figures)) await page.locator(`#hotline-${c}`).fill(String(v));
  for (const [c, v] of Object.entries(delegates ?? {})) await page.locator(`#hotline-delegates-${c}`).fill(String(v));
  // What the caller's figures give, with the cards, before Enter.
  const attendance = `${w.attendance} = ${w.in_person} in person + ${w.early} early`;
  await waitFor('the preview of the typed figures', async () => (await page.getByTestId('hev-attendance').count()) === 1 &&
    (await text(page.getByTestId('hev-attendance'))) === attendance &&
    (await page.getByTestId('hotline-early').textContent()).includes('With the figures typed above') &&
    (stage === 'first' || (await page.getByTestId('hev-final').count()) === 1));
  await assertPanel(page, 'hev', w);
}

test('(c2) the hotline enters a Nevada precinct: the cards with no viable choice, before and after the entries agree', { timeout: 240_000 }, async () => {
  const id = await precinctId('Carson City', '411');
  const first = { Biden: 13, Buttigieg: 13, Klobuchar: 13, Warren: 13, Sanders: 22 };
  const delegates = { Biden: 1, Buttigieg: 1, Klobuchar: 1, Warren: 1, Sanders: 1 };
  const { context, page } = await newPage(WIDTH, 900);
  await loginPage(page, 'operator', h.codes.get('operator:op-1'));
  await page.getByRole('heading', { name: 'Hotline entry' }).waitFor();
  const op1 = await tokenFor(h.codes.get('operator:op-1'));

  const seen = (await api('POST', `/api/v1/precincts/${id}/preview`, { token: op1, body: { first } })).json.early_votes.worksheet;
  assert.equal(seen.attendance, 76);
  assert.deepEqual(seen.no_viable_choice, { cards: 2, by_first_choice: { Steyer: 2 } });
  await enterOnPage(page, { id, stage: 'first', figures: first, w: seen });
  await page.getByRole('button', { name: 'Enter', exact: true }).click();
  await waitFor('the first entry', async () => (await page.getByTestId('hotline-answer').getAttribute('data-hotline')) === 'waiting');

  // The second operator enters the same figures (by the API): the report is recorded.
  const op2 = await tokenFor(h.codes.get('operator:op-2'));
  let r = await api('POST', '/api/v1/hotline/entries', { token: op2, body: { submission: 'op2-first', precinct: id, first } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.hotline, 'accepted');
  assert.deepEqual(r.json.precinct.early_votes.worksheet, seen);

  // The final alignment: op-2 first, then op-1 on the page, which agrees.
  r = await api('POST', '/api/v1/hotline/entries', { token: op2, body: { submission: 'op2-final', precinct: id, final: first, delegates } });
  assert.equal(r.json.hotline, 'waiting', r.text);
  const seenFinal = (await api('POST', `/api/v1/precincts/${id}/preview`, { token: op1, body: { final: first, delegates } })).json.early_votes.worksheet;
  await enterOnPage(page, { id, stage: 'final', figures: first, delegates, w: seenFinal });
  await page.getByRole('button', { name: 'Enter', exact: true }).click();
  await waitFor('the agreed final entry', async () => (await page.getByTestId('hotline-answer').getAttribute('data-hotline')) === 'accepted');
  const p = await precinct(id);
  assert.equal(p.status, 'final-reported');
  assert.equal(p.computed.total_delegates, 5);
  // The precinct as recorded, on the operator's desk: the same early part as the API's.
  await waitFor('the recorded worksheet on the desk', async () => (await page.getByTestId('desk-status').textContent()) === 'final-reported' &&
    (await page.getByTestId('dev-final').count()) === 1);
  await assertPanel(page, 'dev', p.early_votes.worksheet);
  assert.deepEqual(p.early_votes.worksheet.final.find((x) => x.candidate === 'Steyer'), { candidate: 'Steyer', in_person: 0, early: 0, total: 0, viable: false });
  await assertNoHorizontalOverflow(page, 'operator page with cards');
  await page.screenshot({ path: path.join(artifacts, `operator-early-${WIDTH}.png`), fullPage: true });
  await context.close();
});
