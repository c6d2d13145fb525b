// The staff pages as a new user tries them, in headless Chromium at 360 px and 1280 px, against a
// real `canvass serve` on the Iowa 2020 demo election:
//   (6) a hotline operator finishes a phoned-in precinct from their page: the worksheet and the
//       findings after an accepted entry, then the tie, the photo and the confirmation;
//   (7) the reconciliation queue shows the figures that differ (delegates too), highlighted, names
//       the operators as they are named on their own page, says how it is settled, and an old
//       "Accepted" does not linger over the next call;
//   (8) a campaign's confirmation carries no earlier dispute's reason, a repeated dispute is not
//       recorded twice, the campaign sees its own verdicts, and dispute reasons are shown to the
//       administrator and on the public precinct page;
//   (9) the admin page leads with what needs action, has "publish now" and the publication
//       policy, and keeps readiness short and filterable.
// Every number asserted on screen is compared with the API's. Waits are for conditions only.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  h, useServer, waitFor, api, tokenFor, ledgerSince, precinctId, newPage, loginPage, assertNoHorizontalOverflow, artifacts,
} from './harness.mjs';

useServer();
// Read through h when used: the server starts in useServer's own `before`.
const codes = { get: (key) => h.codes.get(key) };

const WIDTHS = [360, 1280];
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('a faxed worksheet')]);

async function operatorToken(n) {
  return tokenFor(codes.get(`operator:op-${n}`));
}

async function enterByApi(n, body) {
  const r = await api('POST', '/api/v1/hotline/entries', { token: await operatorToken(n), body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function precinct(id) {
  return (await api('GET', `/api/v1/precincts/${id}`)).json;
}

// On the operator's page: choose the precinct and stage, type the figures, press Enter.
async function enterOnPage(page, { id, name, stage, figures, delegates }) {
  await page.getByLabel('Find the precinct (number, county or name)').fill(name);
  await waitFor('the precinct in the picker', async () => (await page.locator(`#precinct-select option[value="${id}"]`).count()) === 1);
  await page.getByLabel('Precinct', { exact: true }).selectOption(String(id));
  await page.getByRole('radio', { name: stage === 'first' ? 'First alignment' : 'Final alignment' }).check();
  for (const [c, v] of Object.entries(figures)) await page.locator(`#hotline-${c}`).fill(String(v));
  for (const [c, v] of Object.entries(delegates ?? {})) await page.locator(`#hotline-delegates-${c}`).fill(String(v));
  await page.getByRole('button', { name: 'Enter', exact: true }).click();
  return waitFor('the hotline answer', async () => (await page.getByTestId('hotline-answer').getAttribute('data-hotline')) || null);
}

function errorCount(p) {
  return p.findings.filter((f) => f.severity === 'error').length;
}

// Benton's Belle Plaine precincts elect 6 delegates: 100/50/50 rounds to 7, so Sanders and Biden
// tie for the last one.
const TIE = {
  360: { county: 'Benton', name: 'Belle Plaine 1' },
  1280: { county: 'Benton', name: 'Belle Plaine 3' },
};

for (const width of WIDTHS) {
  test(`(6) an operator finishes a phoned-in precinct (worksheet, findings, tie, photo, confirm) at ${width} px`, { timeout: 240_000 }, async () => {
    const { county, name } = TIE[width];
    const id = await precinctId(county, name);
    assert.equal((await precinct(id)).delegates, 6);
    const first = { Warren: 100, Sanders: 50, Biden: 50 };
    // The worksheet's delegates as the caller reads them: Warren 4 is not what the rules give.
    const delegates = { Warren: 4, Sanders: 1, Biden: 1 };
    await enterByApi(1, { submission: `six-first-${width}`, precinct: id, first });

    const { context, page } = await newPage(width, 900);
    await loginPage(page, 'operator', codes.get('operator:op-2'));
    await page.getByRole('heading', { name: 'Hotline entry' }).waitFor();
    assert.equal(await enterOnPage(page, { id, name, stage: 'first', figures: first }), 'accepted');
    assert.equal((await precinct(id)).status, 'first-reported');
    // The precinct as the server has it, on the same page.
    await page.getByTestId('precinct-desk').waitFor();
    await waitFor('the first alignment worksheet', async () => (await page.getByTestId('ws-attendance').textContent()) === '200');

    // The final alignment: op-1 has entered it; op-2 enters the same.
    await enterByApi(1, { submission: `six-final-again-${width}`, precinct: id, final: first, delegates });
    assert.equal(await enterOnPage(page, { id, name, stage: 'final', figures: first, delegates }), 'accepted');
    let p = await precinct(id);
    assert.equal(p.status, 'tie-pending');
    const errors = errorCount(p);
    assert.ok(errors >= 1, `expected error findings, got ${JSON.stringify(p.findings)}`);
    // Not just "Accepted": the answer says how many error findings the rules find.
    const answer = await page.getByTestId('hotline-answer').textContent();
    assert.match(answer, /^Accepted/);
    assert.match(answer, new RegExp(`${errors} error finding${errors === 1 ? '' : 's'}`));
    await waitFor('the final worksheet', async () => (await page.getByTestId('desk-status').textContent()) === 'tie-pending');
    assert.equal(await page.locator('[data-testid="ws-findings"] li').count(), p.findings.length);
    for (const f of p.findings) assert.match(await page.getByTestId('ws-findings').textContent(), new RegExp(f.code));
    assert.equal(p.computed.groups.length, 3);
    // Groups in the pending tie have no delegate figure yet; the others show the server's.
    for (const g of p.computed.groups) {
      const shown = (await page.getByTestId(`ws-delegates-${g.candidate}`).textContent()).trim();
      if (p.ties.pending.candidates.includes(g.candidate)) assert.match(shown, /pending/, `delegates of ${g.candidate}`);
      else assert.equal(Number(shown), g.delegates, `delegates of ${g.candidate}`);
    }
    await page.screenshot({ path: path.join(artifacts, `operator-findings-${width}.png`), fullPage: true });

    // The tie: the caller says Sanders called heads; heads.
    await page.getByRole('checkbox', { name: 'Sanders' }).check();
    await page.getByLabel('What happened (who called what, the result)').fill('coin toss: Sanders called heads; heads');
    await page.getByRole('button', { name: 'Record the tie outcome' }).click();
    await waitFor('the tie recorded', async () => (await page.getByTestId('desk-status').textContent()) === 'final-reported');
    p = await precinct(id);
    assert.deepEqual(p.ties.recorded[0].favoured, ['Sanders']);
    assert.deepEqual(p.computed.delegates, { Biden: 1, Sanders: 2, Warren: 3 });
    for (const g of p.computed.groups) {
      await waitFor(`the delegates of ${g.candidate} after the tie`, async () =>
        Number(await page.getByTestId(`ws-delegates-${g.candidate}`).textContent()) === g.delegates);
    }

    // The photo the chair sent by e-mail or fax.
    await page.getByLabel('Attach the photo of the signed worksheet the chair sent').setInputFiles({ name: 'worksheet.png', mimeType: 'image/png', buffer: PNG });
    await waitFor('the photo', async () => (await page.getByTestId('desk-photos').textContent()) === '1 photo received.');
    assert.equal((await precinct(id)).photos.length, 1);

    // Confirmed as it stands, once the operator acknowledges the error findings read to the caller.
    const confirm = page.getByRole('button', { name: `Confirm revision ${p.revision}` });
    assert.equal(await confirm.isDisabled(), true);
    const errorCodes = [...new Set(p.findings.filter((f) => f.severity === 'error').map((f) => f.code))];
    await page.getByRole('checkbox', { name: `confirm it as it stands, with ${errorCodes.join(', ')}` }).check();
    await confirm.click();
    await page.getByTestId('desk-confirmed').waitFor();
    p = await precinct(id);
    assert.equal(p.status, 'confirmed');
    assert.equal(p.channel, 'hotline');
    await assertNoHorizontalOverflow(page, `operator page at ${width} px`);
    await page.screenshot({ path: path.join(artifacts, `operator-finished-${width}.png`), fullPage: true });
    await context.close();

    // Every step is on the ledger as the operator's.
    const mine = (await ledgerSince(h.startSeq)).filter((e) => e.payload?.precinct === id);
    for (const type of ['tie-outcome-recorded', 'photo-attached', 'report-confirmed']) {
      const e = mine.find((x) => x.type === type);
      assert.ok(e, `no ${type} in ${JSON.stringify(mine.map((x) => x.type))}`);
      assert.equal(e.actor.role, 'operator');
    }
  });
}

const RECONCILE = {
  360: { county: 'Benton', name: 'Homer-Monroe-Jackson-Garrison' },
  1280: { county: 'Benton', name: 'Kane-Keystone' },
};

for (const width of WIDTHS) {
  test(`(7) the reconciliation queue shows the delegates that differ, by operator name, at ${width} px`, { timeout: 240_000 }, async () => {
    const { county, name } = RECONCILE[width];
    const id = await precinctId(county, name);
    const first = { Buttigieg: 60, Sanders: 40 };
    await enterByApi(1, { submission: `rec-first-${width}`, precinct: id, first });

    const { context, page } = await newPage(width, 900);
    await loginPage(page, 'operator', codes.get('operator:op-3'));
    await page.getByRole('heading', { name: 'Hotline entry' }).waitFor();
    assert.match(await page.locator('.logout-bar').textContent(), /op-3/);
    assert.equal(await enterOnPage(page, { id, name, stage: 'first', figures: first }), 'accepted');
    // The next step of the call is a new entry: the old "Accepted" goes.
    await page.getByRole('radio', { name: 'Final alignment' }).check();
    assert.equal(await page.getByTestId('hotline-answer').count(), 0, 'the stale answer is still shown');

    await enterByApi(1, { submission: `rec-final-${width}`, precinct: id, final: first, delegates: { Buttigieg: 3, Sanders: 2 } });
    assert.equal(await enterOnPage(page, { id, name, stage: 'final', figures: first, delegates: { Buttigieg: 4, Sanders: 1 } }), 'mismatch');

    const queue = (await api('GET', '/api/v1/hotline/reconciliation', { token: await operatorToken(3) })).json.queue;
    const item = queue.find((q) => q.precinct === id && q.stage === 'final');
    assert.ok(item);
    const li = page.locator(`[data-testid="reconciliation"] > li[data-precinct="${id}"]`);
    await li.waitFor();
    // Entries labelled by operator name, as the log-out bar names the operator.
    const labels = await li.locator('li[data-operator]').evaluateAll((els) => els.map((e) => e.getAttribute('data-operator')));
    assert.deepEqual(labels, item.entries.map((e) => e.operator_name));
    assert.deepEqual(labels, ['op-1', 'op-3']);
    // Only the delegates differ, and exactly they are highlighted, with each operator's figure.
    const marked = await li.locator('mark[data-differs]').allTextContents();
    assert.deepEqual(marked, ['3', '2', '4', '1']);
    for (const [k, e] of item.entries.entries()) {
      const row = li.locator('li[data-operator]').nth(k);
      assert.equal(await row.locator('[data-figure="final.Buttigieg"]').textContent(), `Buttigieg ${e.figures.final.Buttigieg}`);
      assert.match(await row.locator('[data-figure="delegates.Buttigieg"] mark').textContent(), new RegExp(`^${e.figures.delegates.Buttigieg}$`));
    }
    const summary = await li.getByTestId('rec-summary').textContent();
    assert.match(summary, /Delegates Buttigieg; Delegates Sanders/);
    assert.match(summary, /third entry that agrees with one of them settles it/);
    await assertNoHorizontalOverflow(page, `operator queue at ${width} px`);
    await page.screenshot({ path: path.join(artifacts, `operator-reconciliation-${width}.png`), fullPage: true });
    await context.close();

    // A third operator's agreeing entry settles it, and it leaves the queue.
    const settled = await enterByApi(4, { submission: `rec-third-${width}`, precinct: id, final: first, delegates: { Buttigieg: 3, Sanders: 2 } });
    assert.equal(settled.hotline, 'accepted');
    assert.deepEqual((await precinct(id)).reported.delegates, { Buttigieg: 3, Sanders: 2 });
  });
}

const DISPUTED = {
  360: { county: 'Adair', name: '1NW ADAIR', campaign: 'Klobuchar' },
  1280: { county: 'Adair', name: '2NE STUART', campaign: 'Warren' },
};

for (const width of WIDTHS) {
  test(`(8) a campaign disputes, sees its verdicts, confirms without the old reason; the admin and the public see the reason, at ${width} px`, { timeout: 240_000 }, async () => {
    const { county, name, campaign } = DISPUTED[width];
    const id = await precinctId(county, name);
    const admin = await tokenFor(codes.get('admin:admin'));
    for (const [stage, figures] of [['first', { first: { Buttigieg: 30, Klobuchar: 25, Warren: 25 } }], ['final', { final: { Buttigieg: 30, Klobuchar: 25, Warren: 25 } }]]) {
      const r = await api('POST', `/api/v1/precincts/${id}/${stage}`, { token: admin, body: { submission: `camp-${stage}-${width}`, ...figures } });
      assert.equal(r.status, 201, r.text);
    }
    const reason = `our observer counted 29 for ${campaign}`;
    const c = await newPage(width, 900);
    await loginPage(c.page, 'campaign', codes.get(`campaign:${campaign}`));
    await c.page.getByLabel('Filter by county or precinct').fill(name);
    await c.page.getByRole('button', { name: `${county} / ${name}` }).click();
    await c.page.getByLabel('Reason (required to dispute)').fill(reason);
    await c.page.getByRole('button', { name: 'Dispute' }).click();
    await c.page.getByText('Dispute recorded.').waitFor();
    // The same dispute again (a second tap): refused, not recorded twice.
    await c.page.getByLabel('Reason (required to dispute)').fill(reason);
    await c.page.getByRole('button', { name: 'Dispute' }).click();
    await c.page.getByText(`${campaign} already disputes revision 1`, { exact: false }).waitFor();
    let p = await precinct(id);
    assert.equal(p.attestations.length, 1);
    assert.equal(p.disputed, true);

    // Its own verdicts, on the precinct and in its list.
    await waitFor('the verdict on the precinct', async () => /Disputed revision 1: our observer/.test((await c.page.getByTestId(`own-verdicts-${id}`).textContent()) ?? ''));
    const mine = (await api('GET', `/api/v1/attestations?campaign=${campaign}`)).json.attestations;
    await waitFor('the campaign\'s verdicts', async () => (await c.page.locator('[data-testid="my-verdicts"] li').count()) === mine.length);
    assert.match(await c.page.getByTestId(`my-verdict-${id}`).textContent(), /you dispute rev 1/);
    await assertNoHorizontalOverflow(c.page, `campaign page at ${width} px`);
    await c.page.screenshot({ path: path.join(artifacts, `campaign-verdicts-${width}.png`), fullPage: true });

    // The public precinct page gives the reason beside "disputed".
    const pub = await newPage(width, 900);
    await pub.page.goto(`${h.base}/#/precinct/${id}`);
    await pub.page.getByTestId('dispute-reasons').waitFor();
    assert.match(await pub.page.getByTestId('dispute-reasons').textContent(), new RegExp(`Disputed by ${campaign} \\(revision 1\\): ${reason}`));
    await assertNoHorizontalOverflow(pub.page, `precinct page at ${width} px`);
    await pub.context.close();

    // The administrator sees it with the reason.
    const a = await newPage(width, 900);
    await loginPage(a.page, 'admin', codes.get('admin:admin'));
    const row = a.page.locator(`[data-testid="findings-queue"] li[data-precinct="${id}"]`);
    await row.waitFor();
    assert.match(await row.getByTestId('admin-dispute').textContent(), new RegExp(`${campaign} disputes revision 1: ${reason}`));
    await a.context.close();

    // Confirming withdraws the dispute, without its reason.
    await c.page.getByRole('button', { name: 'Confirm revision 1' }).click();
    await c.page.getByText('Confirmed.', { exact: true }).waitFor();
    p = await precinct(id);
    assert.equal(p.attestations.length, 2);
    assert.equal(p.attestations[1].verdict, 'confirm');
    assert.equal(p.attestations[1].reason, '');
    assert.equal(p.disputed, false);
    await waitFor('the confirmation in the list', async () => /you confirm rev 1/.test((await c.page.getByTestId(`my-verdict-${id}`).textContent()) ?? ''));
    await c.context.close();
  });
}

for (const width of WIDTHS) {
  test(`(9) the admin page leads with what needs action, publishes and sets the policy, at ${width} px`, { timeout: 240_000 }, async () => {
    const admin = await tokenFor(codes.get('admin:admin'));
    // A hotline mismatch to show (first alignments that differ).
    const mismatchId = await precinctId('Benton', width === 360 ? 'Polk-Urbana' : 'Walford');
    await enterByApi(1, { submission: `adm-a-${width}`, precinct: mismatchId, first: { Biden: 31 } });
    await enterByApi(2, { submission: `adm-b-${width}`, precinct: mismatchId, first: { Biden: 13 } });

    const { context, page } = await newPage(width, 900);
    await loginPage(page, 'admin', codes.get('admin:admin'));
    await page.getByTestId('needs-action').waitFor();
    const listed = (await api('GET', '/api/v1/precincts')).json.precincts;
    const queue = (await api('GET', '/api/v1/hotline/reconciliation', { token: admin })).json.queue;
    const notReported = listed.filter((p) => p.status === 'not-reported').length;
    await waitFor('the counts', async () => (await page.getByTestId('count-not-reported').textContent()) === `${notReported} of ${listed.length}`);
    assert.equal(Number(await page.getByTestId('count-findings').textContent()), listed.filter((p) => p.flagged).length);
    assert.equal(Number(await page.getByTestId('count-disputes').textContent()), listed.filter((p) => p.disputed).length);
    assert.equal(Number(await page.getByTestId('count-mismatches').textContent()), queue.length);
    await page.locator(`[data-testid="admin-mismatches"] li[data-precinct="${mismatchId}"]`).waitFor();
    assert.match(await page.locator(`[data-testid="admin-mismatches"] li[data-precinct="${mismatchId}"]`).textContent(), /entries by op-1, op-2/);

    // What needs action comes before readiness; readiness is short and filterable.
    const top = async (sel) => (await page.locator(sel).boundingBox()).y;
    const readinessTop = await top('#ready-h');
    for (const sel of ['#action-h', '#flag-h', '#mismatch-h', '#missing-h', '#rel-h']) {
      assert.ok((await top(sel)) < readinessTop, `${sel} comes after readiness`);
    }
    await page.getByRole('radio', { name: 'Every precinct' }).check();
    assert.equal(await page.locator('[data-testid="readiness"] tbody tr').count(), 25);
    assert.equal(await page.getByTestId('readiness-count').textContent(), `${listed.length} precincts match`);
    await page.getByLabel('Find a precinct (number, county or name)').last().fill('Kane-Keystone');
    await waitFor('the filtered readiness', async () => (await page.locator('[data-testid="readiness"] tbody tr').count()) === 1);
    const kane = await precinctId('Benton', 'Kane-Keystone');
    const ready = (await api('GET', '/api/v1/readiness', { token: admin })).json.precincts.find((r) => r.precinct === kane);
    const row = page.locator(`[data-testid="readiness"] tr[data-precinct="${kane}"]`);
    assert.equal((await row.locator('[data-col="practice"]').textContent()).trim(), String(ready.practice_reports));
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height < 6000, `the admin page is ${height} px tall`);

    // Publish now, from the page.
    const policy = (await api('GET', '/api/v1/releases/policy')).json;
    assert.equal(policy.can_publish, true, 'the test server holds the signing key');
    const before = (await api('GET', '/api/v1/releases')).json.latest ?? 0;
    await page.getByRole('button', { name: 'Publish now' }).click();
    await waitFor('the release', async () => /^Release \d+ published/.test((await page.getByTestId('publication-answer').textContent()) ?? ''));
    const index = (await api('GET', '/api/v1/releases')).json;
    assert.equal(index.latest, before + 1);
    assert.match(await page.getByTestId('publication-answer').textContent(), new RegExp(`^Release ${index.latest} published`));
    await waitFor('the latest release', async () => (await page.getByTestId('count-releases').textContent()) === `number ${index.latest}`);

    // The publication policy, from the page.
    const seconds = width === 360 ? 45 : 90;
    await page.getByRole('radio', { name: 'Every few seconds' }).check();
    await page.getByLabel('Seconds between releases (1 to 86400)').fill(String(seconds));
    await page.getByRole('button', { name: 'Set the publication policy' }).click();
    await page.getByText('Publication policy recorded.').waitFor();
    const set = (await api('GET', '/api/v1/releases/policy')).json;
    assert.equal(set.mode, 'interval');
    assert.equal(set.seconds, seconds);
    await waitFor('the policy shown', async () => (await page.getByTestId('policy').textContent()).includes(`every ${set.seconds} seconds`));
    // Back to manual, so the rest of the run is not published under it.
    await page.getByRole('radio', { name: 'Only when an administrator publishes' }).check();
    await page.getByRole('button', { name: 'Set the publication policy' }).click();
    await waitFor('manual again', async () => (await page.getByTestId('policy').getAttribute('data-mode')) === 'manual');
    assert.equal((await api('GET', '/api/v1/releases/policy')).json.mode, 'manual');

    await assertNoHorizontalOverflow(page, `admin page at ${width} px`);
    await page.screenshot({ path: path.join(artifacts, `admin-${width}.png`), fullPage: true });
    await context.close();
  });
}
