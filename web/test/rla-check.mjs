// What the browser tests of the risk-limiting audit share: the public section of #/audit checked
// figure by figure against GET /api/v1/audit/rla fetched in the same test.
import assert from 'node:assert/strict';
import path from 'node:path';
import { h, api, waitFor, assertNoHorizontalOverflow, artifacts } from './harness.mjs';

export const text = async (loc) => (await loc.textContent()).replace(/\s+/g, ' ').trim();
const pText = (p) => (p === null || p === 'infinity' ? 'infinite' : p === undefined ? '–' : String(p));

// The words the page gives each decision, from the API's fields alone.
export function decisionWords(d) {
  if (d.decision === 'confirmed') return `Confirmed: the reported national delegates stand at a ${d.started.risk_limit}% risk limit`;
  if (d.decision === 'awaiting_tallies') return `Awaiting ${d.awaiting} tall${d.awaiting === 1 ? 'y' : 'ies'}`;
  if (d.decision === 'full_hand_count') return `Full hand count: ${d.reason}`;
  return 'Awaiting the public seed: the sample is drawn from it';
}

// The rows of a table as the reader sees them: each cell's text by its data-col.
async function tableRows(table) {
  return table.locator('tbody tr').evaluateAll((rows) =>
    rows.map((r) => Object.fromEntries([...r.querySelectorAll('[data-col]')].map((c) => [c.getAttribute('data-col'), c.textContent.replace(/\s+/g, ' ').trim()]))),
  );
}

// The public section at `width` px equals the API; `candidates` in the election's order.
export async function checkPublicRla(page, width, candidates, shot) {
  const figures = (f) => candidates.filter((c) => (f?.[c] ?? 0) !== 0).map((c) => `${c} ${f[c]}`).join(', ');
  const sdes = (s) => candidates.filter((c) => c in s).map((c) => `${c} ${s[c]}`).join(', ');
  await page.goto(`${h.base}/#/audit`);
  await page.getByRole('heading', { name: 'Risk-limiting audit', exact: true }).waitFor();
  const r = await api('GET', '/api/v1/audit/rla');
  assert.equal(r.status, 200, r.text);
  const d = r.json;
  await waitFor('the audit page to catch up', async () => (await text(page.getByTestId('rla-ledger-seq'))) === String(d.ledger_seq));
  assert.equal(await text(page.getByTestId('rla-decision')), decisionWords(d));
  assert.equal(await page.getByTestId('rla-decision').getAttribute('data-decision'), d.decision);
  assert.equal(await text(page.getByTestId('rla-risk-limit')), `${d.started.risk_limit}%`);
  assert.equal(await text(page.getByTestId('rla-total-bound')), d.total_bound);
  assert.equal(await text(page.getByTestId('rla-p-value')), pText(d.p_value));
  assert.equal(await text(page.getByTestId('rla-started-seq')), String(d.started.seq));
  assert.equal(await text(page.getByTestId('rla-committed-seq')), String(d.started.committed_seq));
  assert.equal(await text(page.getByTestId('rla-committed-head')), d.started.committed_head);
  assert.equal(await text(page.getByTestId('rla-seed-value')), d.seed_event.seed);
  assert.equal(await text(page.getByTestId('rla-seed-seq')), String(d.seed_event.seq));
  if (!d.first_round.full_hand_count && d.unbounded.length === 0) assert.equal(await text(page.getByTestId('rla-first-round')), `${d.first_round.draws} draws`);
  // The assertions, tightest first: ten, then all of them.
  const assertions = page.getByTestId('rla-assertions').locator('tbody tr');
  assert.equal(await assertions.count(), Math.min(10, d.assertions.length));
  if (d.assertions.length > 10) {
    await page.getByRole('button', { name: `Show all ${d.assertions.length} assertions` }).click();
    await waitFor('every assertion', async () => (await assertions.count()) === d.assertions.length);
  }
  const shownAssertions = await assertions.evaluateAll((rows) => rows.map((row) => row.querySelector('th').textContent.trim()));
  assert.deepEqual(shownAssertions, d.assertions.map((a) => a.assertion));
  assert.deepEqual((await tableRows(page.getByTestId('rla-assertions'))).map((x) => x.margin), d.assertions.map((a) => a.margin));
  // The draws, a page at a time, each with its tally's state, taint and P after it.
  if (d.draws.length === 0) assert.equal(await page.getByTestId('rla-draws').count(), 0);
  else {
    const more = page.getByRole('button', { name: /^Show more draws/ });
    while ((await more.count()) > 0) await more.click();
    const rows = await tableRows(page.getByTestId('rla-draws'));
    assert.deepEqual(rows, d.draws.map((x) => ({
      audited: x.audited ? (x.unauditable ? 'unauditable' : 'audited') : 'awaiting',
      taint: x.audited ? String(x.taint) : '',
      p: x.audited ? pText(x.p_value) : '',
    })));
  }
  // Each tally beside what the precinct reported.
  const tallies = d.tallies.length === 0 ? [] : await tableRows(page.getByTestId('rla-tallies'));
  assert.deepEqual(tallies, d.tallies.map((t) => ({
    'reported-delegates': t.reported.delegates ? figures(t.reported.delegates) : '—',
    'audited-delegates': t.unauditable ? `unauditable: ${t.custody}` : figures(t.delegates),
    'reported-sde': sdes(t.reported.sde),
    'audited-sde': t.unauditable ? '—' : sdes(t.sde),
  })));
  await assertNoHorizontalOverflow(page, `audit page at ${width} px`);
  await page.getByTestId('rla').screenshot({ path: path.join(artifacts, `${shot}-${width}.png`) });
  return d;
}
