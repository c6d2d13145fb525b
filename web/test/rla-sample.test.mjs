// The risk-limiting audit that samples, in Chromium at 1440 and 360 px: `canvass simulate`'s
// election of 120 precincts and two candidates (seed 11: wide margins, no tie drawn by lot), every
// precinct reported as simulated. At a 50% risk limit the first round draws 67 times:
//   (s1) after the seed the administrator's page has a form for each drawn precinct and none for
//        the others; one drawn precinct's tally goes in through its form (the cards' sorts as
//        reported); the public page says how many tallies it awaits and shows every draw;
//   (s2) the other drawn precincts' tallies (as reported) go in through the API; the audit
//        confirms, and the public page's decision, P, every draw's taint and P after it, and every
//        tally equal GET /api/v1/audit/rla.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { h, useServer, waitFor, api, tokenFor, chairCode, parseCsv, bin, newPage, loginPage, assertNoHorizontalOverflow, artifacts } from './harness.mjs';
import { checkPublicRla, decisionWords, text } from './rla-check.mjs';

const sim = mkdtempSync(path.join(tmpdir(), 'canvass-rla-'));
after(() => rmSync(sim, { recursive: true, force: true }));
const file = (name) => path.join(sim, name);
execFileSync(bin, ['simulate', '--precincts', '120', '--candidates', '2', '--seed', '11',
  '--results-out', file('results.csv'), '--apportionment-out', file('apportionment.csv'), '--districts-out', file('districts.csv')], { stdio: 'pipe' });
useServer({
  initArgs: ['--apportionment', file('apportionment.csv'), '--districts', file('districts.csv'), '--rules', 'iowa-dem-2020',
    '--name', 'Sampled audit test', '--candidates-from', file('results.csv')],
});
const CANDIDATES = ['Candidate 1', 'Candidate 2'];

// The simulated report of each precinct, by "county / precinct".
function reports() {
  const rows = parseCsv(readFileSync(file('results.csv'), 'utf8'));
  const col = Object.fromEntries(rows[0].map((name, i) => [name, i]));
  const out = new Map();
  for (const row of rows.slice(1)) {
    const key = `${row[col.county]} / ${row[col.precinct]}`;
    const r = out.get(key) ?? { county: row[col.county], name: row[col.precinct], first: {}, final: {}, delegates: {} };
    r.first[row[col.candidate]] = Number(row[col.first]);
    r.final[row[col.candidate]] = Number(row[col.final]);
    r.delegates[row[col.candidate]] = Number(row[col.delegates]);
    out.set(key, r);
  }
  return out;
}

test('(s1) the administrator tallies a drawn precinct through its form; the page awaits the others', { timeout: 120_000 }, async () => {
  const byName = reports();
  const { json: list } = await api('GET', '/api/v1/precincts');
  assert.equal(list.precincts.length, 120);
  for (const p of list.precincts) {
    const rep = byName.get(`${p.county} / ${p.precinct}`);
    const token = await tokenFor(chairCode(p.county, p.precinct));
    let r = await api('POST', `/api/v1/precincts/${p.id}/first`, { token, body: { submission: `s-first-${p.id}`, first: rep.first } });
    assert.equal(r.status, 201, r.text);
    r = await api('POST', `/api/v1/precincts/${p.id}/final`, { token, body: { submission: `s-final-${p.id}`, final: rep.final, delegates: rep.delegates } });
    assert.equal(r.status, 201, r.text);
  }
  const admin = await tokenFor(h.codes.get('admin:admin'));
  let r = await api('POST', '/api/v1/audit/rla', { token: admin, body: { submission: 's-start', risk_limit: '50' } });
  assert.equal(r.status, 201, r.text);
  r = await api('POST', '/api/v1/audit/rla/seed', { token: admin, body: { submission: 's-seed', seed: '83019274650192837465' } });
  assert.equal(r.status, 201, r.text);
  let d = (await api('GET', '/api/v1/audit/rla')).json;
  assert.equal(d.decision, 'awaiting_tallies');
  assert.equal(d.first_round.draws, 67);
  const drawn = [...new Set(d.draws.map((x) => x.id))];
  assert.equal(d.awaiting, drawn.length);

  const { context, page } = await newPage(1440);
  await loginPage(page, 'admin', h.codes.get('admin:admin'));
  await waitFor('the decision on the admin page', async () => (await text(page.getByTestId('rla-admin-decision'))).startsWith(`${decisionWords(d)}.`));
  assert.equal(await text(page.getByRole('heading', { name: /^Precincts awaiting their tally/ })), `Precincts awaiting their tally (${drawn.length})`);
  // Ten forms at a time, each for a drawn precinct, with its draw numbers; a filter finds the rest.
  const forms = page.locator('form[data-testid^="rla-tally-"]');
  assert.equal(await forms.count(), Math.min(10, drawn.length));
  for (const id of await forms.evaluateAll((fs) => fs.map((f) => Number(f.getAttribute('data-testid').slice('rla-tally-'.length))))) {
    assert.ok(drawn.includes(id), `a form for precinct ${id}, which is not drawn`);
  }
  const last = d.draws[d.draws.length - 1];
  await page.locator('#rla-filter').fill(last.precinct);
  const t = `rla-tally-${last.id}`;
  const form = page.getByTestId(t);
  await form.waitFor();
  const draws = d.draws.filter((x) => x.id === last.id).map((x) => x.draw);
  assert.ok((await text(form.locator('h4'))).endsWith(`(precinct ${last.id}; draw${draws.length === 1 ? '' : 's'} ${draws.join(', ')})`));
  const rep = byName.get(`${last.county} / ${last.precinct}`);
  await page.locator(`#${t}-cards`).fill(String(Object.values(rep.first).reduce((a, b) => a + b, 0)));
  for (const c of CANDIDATES) {
    await page.locator(`[id="${t}-first-${c}"]`).fill(String(rep.first[c]));
    await page.locator(`[id="${t}-final-${c}"]`).fill(String(rep.final[c]));
  }
  await form.getByRole('button', { name: 'Enter the tally' }).click();
  await waitFor('the tally to be entered', async () => (await page.getByTestId(t).count()) === 0);
  d = (await api('GET', '/api/v1/audit/rla')).json;
  assert.deepEqual(d.tallies.map((x) => x.precinct), [last.id]);
  assert.equal(d.awaiting, drawn.length - 1);
  assert.ok(d.draws.filter((x) => x.id === last.id).every((x) => x.audited && x.taint === 0), 'a tally as reported has no taint');
  await assertNoHorizontalOverflow(page, 'admin page at 1440 px');
  await context.close();

  const pub = await newPage(360);
  d = await checkPublicRla(pub.page, 360, CANDIDATES, 'rla-sample-awaiting');
  assert.equal(d.decision, 'awaiting_tallies');
  await pub.context.close();
});

test('(s2) with every drawn precinct tallied as reported the audit confirms, as the page shows', { timeout: 120_000 }, async () => {
  const admin = await tokenFor(h.codes.get('admin:admin'));
  let d = (await api('GET', '/api/v1/audit/rla')).json;
  const done = new Set(d.tallies.map((x) => x.precinct));
  for (const id of new Set(d.draws.map((x) => x.id))) {
    if (done.has(id)) continue;
    const p = (await api('GET', `/api/v1/precincts/${id}`)).json;
    const r = await api('POST', '/api/v1/audit/rla/tallies', { token: admin, body: { submission: `s-tally-${id}`, precinct: id, delegates: p.reported.delegates } });
    assert.equal(r.status, 201, r.text);
  }
  d = (await api('GET', '/api/v1/audit/rla')).json;
  assert.equal(d.decision, 'confirmed');
  assert.ok(d.p_value <= 0.5, `P = ${d.p_value}`);
  for (const width of [1440, 360]) {
    const { context, page } = await newPage(width);
    const shown = await checkPublicRla(page, width, CANDIDATES, 'rla-sample-confirmed');
    assert.equal(await text(page.getByTestId('rla-decision')), 'Confirmed: the reported national delegates stand at a 50% risk limit');
    assert.equal(shown.ledger_seq, d.ledger_seq);
    await page.screenshot({ path: path.join(artifacts, `rla-sample-page-${width}.png`), fullPage: true });
    await context.close();
  }
});
