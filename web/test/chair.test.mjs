// The chair page, tried as a new chair would, at 360 px and at 1280 px (the staff-pages issue,
// chair items 1-5): every step from login to a confirmed, corrected report without leaving the
// page.
//   (1) a tie (Biden, Sanders, Warren 30/30/30, Klobuchar 5 at D = 8): the copy leaves the tied
//       groups blank, the worksheet shows their delegates pending, the toss brings them, the
//       report is confirmed, corrected from the page, and the correction keeps the toss;
//   (2) more viable groups than delegates: the advice leads to the chair's own correction form;
//   (3) an empty final alignment cannot be reviewed; a report with errors is confirmed only once
//       the chair acknowledges them, and the page says what happens next.
// Every number checked on screen is compared with the API's. Waits are for conditions.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  useServer, waitFor, api, ledgerSince, chairCode, precinctId, newPage, loginPage,
  assertNoHorizontalOverflow, artifacts, h,
} from './harness.mjs';

useServer();

const TIE = { Biden: 30, Sanders: 30, Warren: 30, Klobuchar: 5 };
const widths = [360, 1280];
// Precincts electing 8 (the tie) and 3 (four viable groups), one per test and width.
const tiePlaces = { 360: ['Adams', 'Adams 1'], 1280: ['Adams', 'Adams 3'] };
const errorPlaces = { 360: ['Allamakee', 'Pct 04 - PV City'], 1280: ['Benton', 'Vinton 2'] };
const realignPlaces = { 360: ['Allamakee', 'Pct 03 - PO/FK'], 1280: ['Black Hawk', 'Evansdale W2'] };

async function open(width, county, name) {
  const { context, page } = await newPage(width, 900);
  await loginPage(page, 'chair', chairCode(county, name));
  await page.getByRole('heading', { name: `${county} / ${name}` }).waitFor();
  return { context, page };
}

async function fill(page, prefix, figures) {
  for (const [c, v] of Object.entries(figures)) await page.locator(`#${prefix}-${c}`).fill(String(v));
}

async function sendFirst(page, figures) {
  await fill(page, 'first', figures);
  const total = Object.values(figures).reduce((a, b) => a + b, 0);
  await waitFor('the first alignment preview', async () => (await page.getByTestId('ws-attendance').textContent()) === String(total));
  await page.getByRole('button', { name: 'Review first alignment' }).click();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByRole('heading', { name: '2. Final alignment' }).waitFor();
}

async function precinct(id) {
  const r = await api('GET', `/api/v1/precincts/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// The delegates column on screen equals the API's computed delegates, group by group.
async function assertDelegatesOnScreen(page, p) {
  for (const g of p.computed.groups) {
    const shown = (await page.getByTestId(`ws-delegates-${g.candidate}`).textContent()).trim();
    assert.equal(shown, String(p.computed.delegates[g.candidate] ?? 0), `${g.candidate}'s delegates on screen`);
  }
}

for (const width of widths) {
  test(`(1) a tie at ${width} px: copy only what is decided, toss, confirm, correct, confirm again`, { timeout: 240_000 }, async () => {
    const [county, name] = tiePlaces[width];
    const id = await precinctId(county, name);
    assert.equal((await precinct(id)).delegates, 8);
    const { context, page } = await open(width, county, name);
    await sendFirst(page, TIE);

    // The preview shows the open tie; the tied groups' delegates are pending, not 3 each.
    await waitFor('the final boxes to start from the first alignment', async () => (await page.locator('#final-Biden').inputValue()) === '30');
    await page.getByTestId('ws-tie').waitFor();
    for (const c of ['Biden', 'Sanders', 'Warren']) {
      await waitFor(`${c} pending`, async () => (await page.getByTestId(`ws-delegates-${c}`).textContent()).trim() === 'pending');
    }
    await page.getByRole('button', { name: 'Copy the delegates that are decided' }).click();
    for (const c of ['Biden', 'Sanders', 'Warren']) assert.equal(await page.locator(`#delegates-${c}`).inputValue(), '', `${c} left blank`);
    assert.match(await page.getByTestId('copy-note').textContent(), /Biden, Sanders, Warren are tied: the coin toss decides/);
    await page.getByRole('button', { name: 'Review final alignment' }).click();
    assert.match(await page.getByTestId('review-note').textContent(), /sent with the coin toss's outcome/);
    assert.equal(await page.getByTestId('review-findings').count(), 0, 'nothing to warn of');
    await page.screenshot({ path: path.join(artifacts, `chair-tie-review-${width}.png`), fullPage: true });
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    // The toss, with the worksheet's delegates written after it.
    await page.getByRole('heading', { name: '3. Settle the tie' }).waitFor();
    await page.getByRole('checkbox', { name: 'Biden' }).check();
    await page.getByRole('checkbox', { name: 'Sanders' }).check();
    await page.getByLabel('What happened (who called what, the result)').fill('Warren called tails; heads');
    await fill(page, 'tie-delegates', { Biden: 3, Sanders: 3, Warren: 2 });
    await page.getByRole('button', { name: 'Record the tie outcome' }).click();
    await page.getByRole('heading', { name: '4. Review and confirm' }).waitFor();
    let p = await precinct(id);
    assert.equal(p.status, 'final-reported');
    assert.deepEqual(p.computed.delegates, { Biden: 3, Sanders: 3, Warren: 2 });
    assert.deepEqual(p.reported.delegates, { Biden: 3, Sanders: 3, Warren: 2 });
    assert.deepEqual(p.findings.filter((f) => f.severity === 'error'), []);
    await assertDelegatesOnScreen(page, p);
    assert.equal(await page.getByTestId('confirm-errors').count(), 0);
    await page.getByRole('button', { name: 'Confirm this report' }).click();
    await page.getByTestId('confirmed').waitFor();
    assert.match(await page.getByTestId('confirmed').textContent(), /revision 1\)\. Thank you! What happens next/);

    // A correction from the page: one Klobuchar supporter had gone home. The tie is the same,
    // so the toss is kept and not asked for again.
    await page.getByRole('button', { name: 'Correct this report' }).click();
    assert.match(await page.getByTestId('correction-revision').textContent(), /revision 2/);
    await page.locator('#fix-final-Klobuchar').fill('4');
    await page.getByLabel('Reason for the correction (required)').fill('one Klobuchar supporter had gone home');
    await page.getByTestId('correction-kept-tie').waitFor();
    await page.screenshot({ path: path.join(artifacts, `chair-correction-${width}.png`), fullPage: true });
    await assertNoHorizontalOverflow(page, `chair correction at ${width} px`);
    await page.getByRole('button', { name: 'Review the correction' }).click();
    await page.getByRole('button', { name: 'Send the correction' }).click();
    await waitFor('revision 2', async () => (await precinct(id)).revision === 2);
    await page.getByRole('heading', { name: '4. Review and confirm' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: '3. Settle the tie' }).count(), 0, 'no second toss');
    assert.match(await page.getByTestId('ws-ties-recorded').textContent(), /Warren called tails; heads/);
    p = await precinct(id);
    assert.equal(p.status, 'final-reported');
    assert.equal(p.ties.recorded.length, 1);
    assert.equal(p.reported.final.Klobuchar, 4);
    await assertDelegatesOnScreen(page, p);
    await page.getByRole('button', { name: 'Confirm this report' }).click();
    await waitFor('confirmed revision 2', async () => /revision 2\)/.test((await page.getByTestId('confirmed').textContent()) ?? ''));
    p = await precinct(id);
    assert.equal(p.status, 'confirmed');
    assert.equal(p.revision, 2);
    const events = (await ledgerSince(h.startSeq)).filter((e) => e.payload?.precinct === id).map((e) => e.type);
    assert.deepEqual(events, ['first-alignment-reported', 'final-alignment-reported', 'tie-outcome-recorded',
      'report-confirmed', 'report-corrected', 'report-confirmed']);
    await page.screenshot({ path: path.join(artifacts, `chair-corrected-${width}.png`), fullPage: true });
    await assertNoHorizontalOverflow(page, `chair page at ${width} px`);
    await context.close();
  });

  test(`(2) more viable groups than delegates at ${width} px: the chair corrects from the page`, { timeout: 240_000 }, async () => {
    const [county, name] = realignPlaces[width];
    const id = await precinctId(county, name);
    assert.equal((await precinct(id)).delegates, 3);
    const four = { Buttigieg: 12, Klobuchar: 11, Sanders: 10, Warren: 9 };
    const { context, page } = await open(width, county, name);
    await sendFirst(page, four);
    await waitFor('the final boxes to start from the first alignment', async () => (await page.locator('#final-Warren').inputValue()) === '9');
    await waitFor('the preview', async () => (await page.getByTestId('ws-attendance').textContent()) === '42');
    await page.getByRole('button', { name: 'Review final alignment' }).click();
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    await page.getByTestId('advice').waitFor();
    assert.equal((await precinct(id)).status, 'must-realign');
    const advice = await page.getByTestId('advice').textContent();
    assert.match(advice, /Warren \(the smallest\) must realign/);
    assert.match(advice, /correction below/);
    assert.doesNotMatch(advice, /hotline/i);
    // The form is open: Warren's group joins Buttigieg.
    await page.getByTestId('correction').waitFor();
    await page.locator('#fix-final-Warren').fill('');
    await page.locator('#fix-final-Buttigieg').fill('21');
    await page.getByLabel('Reason for the correction (required)').fill("Warren's group realigned to Buttigieg");
    await waitFor('the corrected worksheet', async () => (await page.getByTestId('cw-viable').textContent()) === 'Buttigieg, Klobuchar, Sanders');
    await page.screenshot({ path: path.join(artifacts, `chair-realign-${width}.png`), fullPage: true });
    await assertNoHorizontalOverflow(page, `chair realignment at ${width} px`);
    await page.getByRole('button', { name: 'Review the correction' }).click();
    await page.getByRole('button', { name: 'Send the correction' }).click();
    await page.getByRole('heading', { name: '4. Review and confirm' }).waitFor();
    let p = await precinct(id);
    assert.equal(p.status, 'final-reported');
    assert.equal(p.revision, 2);
    await assertDelegatesOnScreen(page, p);
    await page.getByRole('button', { name: 'Confirm this report' }).click();
    await page.getByTestId('confirmed').waitFor();
    p = await precinct(id);
    assert.equal(p.status, 'confirmed');
    const fix = (await ledgerSince(h.startSeq)).find((e) => e.type === 'report-corrected' && e.payload.precinct === id);
    assert.equal(fix.payload.reason, "Warren's group realigned to Buttigieg");
    assert.equal(fix.actor.role, 'chair');
    await context.close();
  });

  test(`(3) an empty final is refused; errors are confirmed only when acknowledged, at ${width} px`, { timeout: 240_000 }, async () => {
    const [county, name] = errorPlaces[width];
    const id = await precinctId(county, name);
    const { context, page } = await open(width, county, name);
    await sendFirst(page, TIE);
    await waitFor('the final boxes to start from the first alignment', async () => (await page.locator('#final-Biden').inputValue()) === '30');
    for (const c of Object.keys(TIE)) await page.locator(`#final-${c}`).fill('');
    await page.getByTestId('final-empty').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Review final alignment' }).isDisabled(), true);
    await waitFor('the server to refuse the empty final', async () => /counts nobody/.test((await page.getByTestId('preview-error').textContent()) ?? ''));

    // The worksheet on paper says 3/3/3: nine delegates for eight. The review warns.
    await fill(page, 'final', TIE);
    await fill(page, 'delegates', { Biden: 3, Sanders: 3, Warren: 3 });
    await waitFor('the preview to flag the total', async () => /delegate-total-differs/.test((await page.getByTestId('ws-findings').textContent()) ?? ''));
    await page.getByRole('button', { name: 'Review final alignment' }).click();
    assert.match(await page.getByTestId('review-findings').textContent(), /delegate-total-differs/);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('heading', { name: '3. Settle the tie' }).waitFor();
    await page.getByRole('checkbox', { name: 'Biden' }).check();
    await page.getByRole('checkbox', { name: 'Warren' }).check();
    await page.getByLabel('What happened (who called what, the result)').fill('Sanders called heads; tails');
    await page.getByRole('button', { name: 'Record the tie outcome' }).click();

    await page.getByTestId('confirm-errors').waitFor();
    const p = await precinct(id);
    const errors = p.findings.filter((f) => f.severity === 'error').map((f) => f.code).sort();
    assert.deepEqual(errors, ['allocation-differs', 'delegate-total-differs']);
    const shown = await page.getByTestId('confirm-errors').textContent();
    for (const code of errors) assert.match(shown, new RegExp(code));
    const confirm = page.getByRole('button', { name: 'Confirm this report' });
    assert.equal(await confirm.isDisabled(), true, 'confirm waits for the acknowledgement');
    await page.screenshot({ path: path.join(artifacts, `chair-errors-${width}.png`), fullPage: true });
    await assertNoHorizontalOverflow(page, `chair errors at ${width} px`);
    await page.getByRole('checkbox', { name: /The paper worksheet says the same/ }).check();
    await confirm.click();
    await page.getByTestId('confirmed').waitFor();
    const text = await page.getByTestId('confirmed').textContent();
    assert.match(text, /with 2 errors \(/);
    assert.doesNotMatch(text, /Thank you!/);
    assert.match(text, /What happens next/);
    assert.equal((await precinct(id)).status, 'confirmed');
    const ack = (await ledgerSince(h.startSeq)).find((e) => e.type === 'report-confirmed' && e.payload.precinct === id);
    assert.deepEqual([...ack.payload.acknowledged].sort(), errors);
    await context.close();
  });
}
