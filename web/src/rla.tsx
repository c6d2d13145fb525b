// The risk-limiting audit of the national delegates (GET /api/v1/audit/rla, docs/audit.md "The
// audit on the ledger"): the public section of the audit page, and the administrator's entry of
// the start, the public seed and each drawn precinct's tally. The engine computes everything shown
// (U, the sample, taints, the P-value, the decision); the pages only lay out the API's figures,
// as it gives them, with the ledger position of each step.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, describeError, get, newSubmissionId, type Election, type Figures, type Precinct, type PrecinctSummary, type WriteAnswer } from './api';
import { Seq, figuresText, useLiveJson } from './reviews';
import { Alert, FigureInputs, toFigures } from './ui';

export interface RlaSize { draws: number; full_hand_count: boolean }

export interface RlaAssertion { assertion: string; margin: string; diluted_margin: string; total_bound: string; first_round: RlaSize }

export interface RlaDraw {
  draw: number;
  id: number | null;
  county: string;
  precinct: string;
  audited: boolean;
  unauditable?: boolean;
  error?: string;
  taint?: number;
  p_value?: number | null; // null: infinite (an unauditable precinct)
  by?: string | null;
}

export interface RlaTally {
  seq: number;
  time: string;
  precinct: number;
  county: string;
  name: string;
  unauditable: boolean;
  custody?: string;
  delegates?: Figures;
  sde?: Record<string, string>;
  first?: Figures;
  final?: Figures;
  cards?: number;
  photo?: string;
  reported?: { sde: Record<string, string>; delegates: Figures | null };
}

export interface RlaDoc {
  risk_limit: string;
  precincts: number;
  total_bound: string;
  total_weight: number;
  first_round: RlaSize;
  assertions: RlaAssertion[];
  unbounded: string[];
  seed?: string;
  rounds?: { first_draw: number; size: RlaSize }[];
  draws?: RlaDraw[];
  p_value?: number | 'infinity';
  decision?: 'confirmed' | 'awaiting_tallies' | 'full_hand_count';
  awaiting?: number;
  reason?: string;
  started: { seq: number; time: string; risk_limit: string; committed_seq: number; committed_head: string };
  seed_event: { seq: number; time: string; seed: string } | null;
  tallies: RlaTally[];
  ledger_seq: number;
}

const PATH = '/api/v1/audit/rla';
const ASSERTIONS = 10; // assertions shown before "Show all"
const PAGE = 50; // rows of the draw table shown at once
const FORMS = 10; // tally forms shown at once

export function useRla() {
  return useLiveJson<RlaDoc>(PATH, (b) => b.ledger_seq);
}

// The decision in words, with the API's figures only.
export function decisionText(d: RlaDoc): string {
  switch (d.decision) {
    case 'confirmed':
      return `Confirmed: the reported national delegates stand at a ${d.started.risk_limit}% risk limit`;
    case 'awaiting_tallies':
      return `Awaiting ${d.awaiting} tall${d.awaiting === 1 ? 'y' : 'ies'}`;
    case 'full_hand_count':
      return `Full hand count: ${d.reason ?? 'the sample would reach every precinct'}`;
    default:
      return 'Awaiting the public seed: the sample is drawn from it';
  }
}

function firstRoundText(d: RlaDoc): string {
  if (d.unbounded.length > 0) return `full hand count (${d.unbounded.length} precinct${d.unbounded.length === 1 ? '' : 's'} without a bound)`;
  if (d.first_round.full_hand_count) return `full hand count (a first round would reach the ${d.precincts} precincts)`;
  return `${d.first_round.draws} draws`;
}

const pText = (p: number | 'infinity' | null | undefined) => (p === undefined ? '–' : p === null || p === 'infinity' ? 'infinite' : String(p));

function sdeText(s: Record<string, string> | undefined, candidates: string[]): string {
  if (!s) return '—';
  const names = [...candidates.filter((c) => c in s), ...Object.keys(s).filter((c) => !candidates.includes(c))];
  return names.length ? names.map((c) => `${c} ${s[c]}`).join(', ') : 'none';
}

// The public section of #/audit.
export function RlaSection(props: { candidates: string[] }) {
  const rla = useRla();
  const [allAssertions, setAllAssertions] = useState(false);
  const [shownDraws, setShownDraws] = useState(PAGE);
  const d = rla.body;
  const c = props.candidates;
  return (
    <section class="card" aria-labelledby="rla-h" data-testid="rla">
      <h2 id="rla-h">Risk-limiting audit</h2>
      {rla.code === 'no-audit' ? (
        <p data-testid="rla-none">
          No risk-limiting audit has been started. The party starts it once the results are in; the reported figures
          are then frozen, a seed is drawn in public, and the precincts it draws are counted again by hand.
        </p>
      ) : rla.error && !d ? (
        <Alert kind="error">{rla.error}</Alert>
      ) : !d ? (
        <p class="muted">Loading…</p>
      ) : (
        <>
          <p class={`rla-decision rla-${d.decision ?? 'no-seed'}`} data-testid="rla-decision" data-decision={d.decision ?? ''}>
            {decisionText(d)}
          </p>
          <p class="muted">
            Built from ledger position <span data-testid="rla-ledger-seq">{d.ledger_seq}</span>. The audit checks the reported national
            delegates by counting randomly drawn precincts again; it confirms them when the measured risk P falls to the risk limit.
          </p>
          <dl class="facts-list">
            <div>
              <dt>Risk limit</dt>
              <dd data-testid="rla-risk-limit">{d.started.risk_limit}%</dd>
            </div>
            <div>
              <dt>Started at ledger event</dt>
              <dd>
                <Seq seq={d.started.seq} testid="rla-started-seq" /> <span class="muted">{d.started.time}</span>
              </dd>
            </div>
            <div>
              <dt>Results committed at</dt>
              <dd>
                position <span data-testid="rla-committed-seq">{d.started.committed_seq}</span>, head{' '}
                <code class="hash" data-testid="rla-committed-head">{d.started.committed_head}</code>
              </dd>
            </div>
            <div>
              <dt>U (total error bound)</dt>
              <dd data-testid="rla-total-bound">{d.total_bound}</dd>
            </div>
            <div>
              <dt>First round</dt>
              <dd data-testid="rla-first-round">{firstRoundText(d)}</dd>
            </div>
            <div>
              <dt>Measured risk P</dt>
              <dd data-testid="rla-p-value">{pText(d.p_value)}</dd>
            </div>
          </dl>
          <p data-testid="rla-seed">
            {d.seed_event ? (
              <>
                Seed <code class="hash" data-testid="rla-seed-value">{d.seed_event.seed}</code>, drawn in public and entered at ledger event{' '}
                <Seq seq={d.seed_event.seq} testid="rla-seed-seq" /> ({d.seed_event.time}).
              </>
            ) : (
              'No seed yet: it is drawn in public after the start, so that nobody could choose the sample.'
            )}
          </p>
          {d.unbounded.length > 0 && (
            <p data-testid="rla-unbounded">Precincts without a bound (nothing to sample around): {d.unbounded.join('; ')}</p>
          )}
          <h3>Assertions ({d.assertions.length}), tightest first</h3>
          <p class="muted">The reported national delegates hold while every assertion does; U is driven by the tightest.</p>
          <div class="table-wrap">
            <table data-testid="rla-assertions">
              <caption class="sr-only">Assertions with their margins, tightest first</caption>
              <thead>
                <tr>
                  <th scope="col">Assertion</th>
                  <th scope="col" class="n">Margin</th>
                  <th scope="col" class="n">Diluted margin</th>
                  <th scope="col" class="n">U alone</th>
                  <th scope="col" class="n">First round alone</th>
                </tr>
              </thead>
              <tbody>
                {(allAssertions ? d.assertions : d.assertions.slice(0, ASSERTIONS)).map((a, i) => (
                  <tr key={i}>
                    <th scope="row">{a.assertion}</th>
                    <td class="n" data-col="margin">{a.margin}</td>
                    <td class="n">{a.diluted_margin}</td>
                    <td class="n">{a.total_bound}</td>
                    <td class="n">{a.first_round.full_hand_count ? 'full hand count' : a.first_round.draws}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {d.assertions.length > ASSERTIONS && (
            <button type="button" onClick={() => setAllAssertions(!allAssertions)}>
              {allAssertions ? `Show the first ${ASSERTIONS}` : `Show all ${d.assertions.length} assertions`}
            </button>
          )}
          {d.draws && (
            <>
              <h3>Draws ({d.draws.length})</h3>
              {d.rounds && d.rounds.length > 0 && (
                <p class="muted" data-testid="rla-rounds">
                  {d.rounds.map((r, i) => `round ${i + 1}: from draw ${r.first_draw}, ${r.size.full_hand_count ? 'full hand count' : `${r.size.draws} draws`}`).join('; ')}
                </p>
              )}
              {d.draws.length === 0 ? (
                <p class="muted">Nothing is drawn: every precinct is counted by hand.</p>
              ) : (
                <div class="table-wrap">
                  <table data-testid="rla-draws">
                    <caption class="sr-only">Each draw, its precinct, and the measured risk after it</caption>
                    <thead>
                      <tr>
                        <th scope="col" class="n">Draw</th>
                        <th scope="col">Precinct</th>
                        <th scope="col">Tally</th>
                        <th scope="col" class="n">Taint</th>
                        <th scope="col" class="n">P after</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.draws.slice(0, shownDraws).map((r) => (
                        <tr key={r.draw} data-draw={r.draw}>
                          <td class="n">{r.draw}</td>
                          <th scope="row">
                            {r.id !== null ? <a href={`#/precinct/${r.id}`}>{r.county} / {r.precinct}</a> : `${r.county} / ${r.precinct}`}
                          </th>
                          <td data-col="audited">{r.audited ? (r.unauditable ? 'unauditable' : 'audited') : 'awaiting'}</td>
                          <td class="n" data-col="taint">{r.audited ? String(r.taint) : ''}</td>
                          <td class="n" data-col="p">{r.audited ? pText(r.p_value) : ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              {d.draws.length > shownDraws && (
                <button type="button" onClick={() => setShownDraws(shownDraws + PAGE)}>
                  Show more draws ({d.draws.length - shownDraws} not shown)
                </button>
              )}
            </>
          )}
          <h3>Tallies ({d.tallies.length})</h3>
          {d.tallies.length === 0 ? (
            <p class="muted">No precinct has been counted for the audit yet.</p>
          ) : (
            <div class="table-wrap">
              <table data-testid="rla-tallies">
                <caption class="sr-only">Each audited precinct: reported and audited delegates and SDEs</caption>
                <thead>
                  <tr>
                    <th scope="col">Precinct</th>
                    <th scope="col">Delegates reported</th>
                    <th scope="col">Delegates audited</th>
                    <th scope="col">SDEs reported</th>
                    <th scope="col">SDEs audited</th>
                  </tr>
                </thead>
                <tbody>
                  {d.tallies.map((t) => (
                    <tr key={t.seq} data-precinct={t.precinct}>
                      <th scope="row">
                        <a href={`#/precinct/${t.precinct}`}>
                          {t.county} / {t.name}
                        </a>
                        <div class="muted">
                          ledger event <Seq seq={t.seq} />
                          {t.cards !== undefined ? `, ${t.cards} cards` : ''}
                          {t.photo && (
                            <>
                              , <a href={`/api/v1/photos/${t.photo}`} target="_blank" rel="noopener">tally sheet</a>
                            </>
                          )}
                        </div>
                      </th>
                      <td data-col="reported-delegates">{t.reported?.delegates ? figuresText(t.reported.delegates, c) : '—'}</td>
                      <td data-col="audited-delegates">{t.unauditable ? `unauditable: ${t.custody ?? ''}` : figuresText(t.delegates, c)}</td>
                      <td data-col="reported-sde">{sdeText(t.reported?.sde, c)}</td>
                      <td data-col="audited-sde">{t.unauditable ? '—' : sdeText(t.sde, c)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

interface Refusal { text: string; field: string | null; code: string }

function RefusalText(props: { msg: Refusal | null; testid: string; show?: boolean }) {
  const m = props.msg;
  if (!m || props.show === false) return null;
  return (
    <p class="field-error" role="alert" data-testid={props.testid} data-field={m.field ?? ''} data-code={m.code}>
      {m.text}
      {m.field ? <> <code>{m.field}</code></> : null}
    </p>
  );
}

const refusalOf = (e: unknown): Refusal => ({
  text: describeError(e),
  field: e instanceof ApiError ? e.field : null,
  code: e instanceof ApiError ? e.code : '',
});

// What an administrator has typed for one precinct's tally, kept above the forms so that neither
// a refusal nor a filter loses it.
interface Draft {
  mode: 'sorts' | 'delegates' | 'unauditable';
  cards: string;
  first: Record<string, string>;
  final: Record<string, string>;
  delegates: Record<string, string>;
  custody: string;
  photo: string;
}
const EMPTY: Draft = { mode: 'sorts', cards: '', first: {}, final: {}, delegates: {}, custody: '', photo: '' };

interface Awaiting { id: number; county: string; name: string; draws: number[] }

// The administrator's part: start, seed, then a form for each precinct awaiting its tally.
export function RlaDesk(props: { token: string }) {
  const rla = useRla();
  const [candidates, setCandidates] = useState<string[]>([]);
  const [precincts, setPrecincts] = useState<PrecinctSummary[] | null>(null);
  const [drafts, setDrafts] = useState<Record<number, Draft>>({});
  const [filter, setFilter] = useState('');
  const [shown, setShown] = useState(FORMS);
  const d = rla.body;
  const fullCount = d?.decision === 'full_hand_count';
  useEffect(() => void get<Election>('/api/v1/election').then((e) => setCandidates(e.candidates), () => undefined), []);
  // In a full hand count every precinct may be tallied: the forms need the whole list.
  useEffect(() => {
    if (fullCount && precincts === null) void get<{ precincts: PrecinctSummary[] }>('/api/v1/precincts').then((b) => setPrecincts(b.precincts), () => undefined);
  }, [fullCount, precincts]);

  let awaiting: Awaiting[] = [];
  if (d?.decision) {
    const tallied = new Set(d.tallies.map((t) => t.precinct));
    if (fullCount) {
      awaiting = (precincts ?? []).filter((p) => !tallied.has(p.id)).map((p) => ({ id: p.id, county: p.county, name: p.precinct, draws: [] }));
    } else {
      const byId = new Map<number, Awaiting>();
      for (const r of d.draws ?? []) {
        if (r.audited || r.id === null || tallied.has(r.id)) continue;
        const a = byId.get(r.id) ?? { id: r.id, county: r.county, name: r.precinct, draws: [] };
        a.draws.push(r.draw);
        byId.set(r.id, a);
      }
      awaiting = [...byId.values()];
    }
  }
  const f = filter.trim().toLowerCase();
  const rows = awaiting.filter((a) => !f || `${a.id} ${a.county} ${a.name}`.toLowerCase().includes(f));
  const setDraft = (id: number, next: Draft | null) =>
    setDrafts((all) => {
      const out = { ...all };
      if (next) out[id] = next;
      else delete out[id];
      return out;
    });

  return (
    <section class="card" aria-labelledby="rla-admin-h" data-testid="rla-admin">
      <h2 id="rla-admin-h">Risk-limiting audit</h2>
      {rla.error && rla.code !== 'no-audit' && <Alert kind="error">{rla.error}</Alert>}
      {rla.code === 'no-audit' && <StartForm token={props.token} onDone={rla.reload} />}
      {d && (
        <>
          <p data-testid="rla-admin-decision">
            <strong>{decisionText(d)}</strong>. Risk limit {d.started.risk_limit}%, started at ledger event <Seq seq={d.started.seq} />; the public
            record is on the <a href="#/audit">audit page</a>.
          </p>
          {d.seed_event ? (
            <p>
              Seed <code>{d.seed_event.seed}</code> entered at ledger event <Seq seq={d.seed_event.seq} />.
            </p>
          ) : (
            <SeedForm token={props.token} onDone={rla.reload} />
          )}
        </>
      )}
      {d?.decision && (
        <>
          <h3>Precincts awaiting their tally ({awaiting.length})</h3>
          {fullCount && <p class="muted">A full hand count: every precinct may be tallied.</p>}
          {awaiting.length === 0 ? (
            <p class="muted">No precinct awaits its tally.</p>
          ) : (
            <>
              {awaiting.length > FORMS && (
                <>
                  <label for="rla-filter">Find a precinct (id, county or name)</label>
                  <input id="rla-filter" value={filter} onInput={(e) => { setFilter((e.target as HTMLInputElement).value); setShown(FORMS); }} />
                </>
              )}
              {rows.slice(0, shown).map((a) => (
                <TallyForm
                  key={a.id}
                  a={a}
                  candidates={candidates}
                  token={props.token}
                  draft={drafts[a.id] ?? EMPTY}
                  onDraft={(next) => setDraft(a.id, next)}
                  onDone={() => {
                    setDraft(a.id, null);
                    rla.reload();
                  }}
                />
              ))}
              {rows.length > shown && (
                <button type="button" onClick={() => setShown(shown + FORMS)}>
                  Show more ({rows.length - shown} not shown)
                </button>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}

// A form's one write: busy while it runs, then onDone, or the API's refusal kept to show.
function useSubmission(send: () => Promise<unknown>, onDone: () => void) {
  const [msg, setMsg] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    try {
      await send();
      onDone();
    } catch (err) {
      setMsg(refusalOf(err));
    } finally {
      setBusy(false);
    }
  };
  return { msg, busy, submit };
}

function StartForm(props: { token: string; onDone: () => void }) {
  const [limit, setLimit] = useState('5');
  const { msg, busy, submit } = useSubmission(
    () => call('POST', PATH, { token: props.token, body: { submission: newSubmissionId(), risk_limit: limit.trim() } }),
    props.onDone,
  );
  return (
    <form data-testid="rla-start" onSubmit={submit}>
      <p>
        No audit has been started. Starting it freezes the reported figures as they stand (a precinct not reported, or without its final alignment, leaves a full hand count)
        and records the ledger position they are committed at; the seed is drawn in public after that.
      </p>
      <label for="rla-risk-limit-input">Risk limit (percent, above 0 and below 100)</label>
      <input id="rla-risk-limit-input" inputMode="decimal" value={limit} aria-invalid={msg !== null || undefined} onInput={(e) => setLimit((e.target as HTMLInputElement).value)} />
      <button type="submit" class="primary" disabled={busy}>
        Start the audit
      </button>
      <RefusalText msg={msg} testid="rla-start-refusal" />
    </form>
  );
}

function SeedForm(props: { token: string; onDone: () => void }) {
  const [seed, setSeed] = useState('');
  const { msg, busy, submit } = useSubmission(
    () => call('POST', `${PATH}/seed`, { token: props.token, body: { submission: newSubmissionId(), seed } }),
    props.onDone,
  );
  return (
    <form data-testid="rla-seed-form" onSubmit={submit}>
      <p>
        Draw the seed in public now, after the start (for example twenty rolls of a ten-sided die, read aloud before witnesses), and
        enter it exactly as drawn. It is entered once: a second seed is refused, since it would let someone choose the sample.
      </p>
      <label for="rla-seed-input">Public seed</label>
      <input id="rla-seed-input" autocomplete="off" spellcheck={false} value={seed} aria-invalid={msg !== null || undefined} onInput={(e) => setSeed((e.target as HTMLInputElement).value)} />
      <button type="submit" class="primary" disabled={busy}>
        Enter the seed
      </button>
      <RefusalText msg={msg} testid="rla-seed-refusal" />
    </form>
  );
}

async function sha256Hex(file: Blob): Promise<string | null> {
  if (typeof crypto === 'undefined' || !crypto.subtle) return null; // not a secure context
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function TallyForm(props: { a: Awaiting; candidates: string[]; token: string; draft: Draft; onDraft: (d: Draft) => void; onDone: () => void }) {
  const { a, draft } = props;
  const [msg, setMsg] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `rla-tally-${a.id}`;
  const set = (patch: Partial<Draft>) => props.onDraft({ ...draft, ...patch });
  // A refusal is shown beside the part of the form it names (`first.Sanders` beside the first
  // sort), or under the button when that part is not on screen.
  const named = (msg?.field ?? '').split('.')[0] ?? '';
  const visible: Record<Draft['mode'], string[]> = {
    sorts: ['cards', 'first', 'final', 'delegates', 'photo'],
    delegates: ['delegates', 'photo'],
    unauditable: ['custody', 'photo'],
  };
  const where = visible[draft.mode].includes(named) ? named : 'form';
  const invalid = (part: string) => (msg !== null && where === part) || undefined;
  const upload = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setMsg(null);
    try {
      const before = (await get<Precinct>(`/api/v1/precincts/${a.id}`)).photos;
      const r = await call<WriteAnswer>('POST', `/api/v1/precincts/${a.id}/photo`, {
        token: props.token,
        raw: file,
        // No submission id: the server names it by the photo's hash, so sending it twice is a retry.
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
      });
      const hash = (await sha256Hex(file)) ?? r.body.precinct?.photos.find((h) => !before.includes(h)) ?? null;
      if (!hash) throw new Error('the photo was received, but its hash is unknown here: choose it again from a secure (https) page');
      set({ photo: hash });
    } catch (err) {
      setMsg({ ...refusalOf(err), field: 'photo' });
    } finally {
      setBusy(false);
      input.value = '';
    }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    try {
      const body: Record<string, unknown> = { submission: newSubmissionId(), precinct: a.id };
      if (draft.mode === 'unauditable') {
        body['unauditable'] = true;
        body['custody'] = draft.custody;
      } else {
        if (draft.mode === 'sorts') {
          body['first'] = toFigures(draft.first);
          body['final'] = toFigures(draft.final);
          const cards = draft.cards.trim();
          if (cards) body['cards'] = /^\d+$/.test(cards) ? Number(cards) : cards;
        }
        if (draft.mode === 'delegates' || Object.values(draft.delegates).some((v) => v.trim() !== '')) body['delegates'] = toFigures(draft.delegates);
      }
      if (draft.photo) body['photo'] = draft.photo;
      await call('POST', `${PATH}/tallies`, { token: props.token, body });
      props.onDone();
    } catch (err) {
      setMsg(refusalOf(err));
    } finally {
      setBusy(false);
    }
  };
  const c = props.candidates;
  return (
    <form class="review-precinct" data-testid={id} onSubmit={submit}>
      <h4>
        <a href={`#/precinct/${a.id}`}>
          {a.county} / {a.name}
        </a>{' '}
        <span class="muted">
          (precinct {a.id}
          {a.draws.length > 0 ? `; draw${a.draws.length === 1 ? '' : 's'} ${a.draws.join(', ')}` : ''})
        </span>
      </h4>
      <fieldset class="toggle">
        <legend>What the board found</legend>
        <label>
          <input type="radio" name={`${id}-mode`} checked={draft.mode === 'sorts'} onChange={() => set({ mode: 'sorts' })} /> The cards' sorts
        </label>
        <label>
          <input type="radio" name={`${id}-mode`} checked={draft.mode === 'delegates'} onChange={() => set({ mode: 'delegates' })} /> Delegates
        </label>
        <label>
          <input type="radio" name={`${id}-mode`} checked={draft.mode === 'unauditable'} onChange={() => set({ mode: 'unauditable' })} /> Unauditable
        </label>
      </fieldset>
      {draft.mode === 'sorts' && (
        <>
          <label for={`${id}-cards`}>Cards counted (T′)</label>
          <input id={`${id}-cards`} type="number" inputMode="numeric" min={0} step={1} value={draft.cards} aria-invalid={invalid('cards')} onInput={(e) => set({ cards: (e.target as HTMLInputElement).value })} />
          <RefusalText msg={msg} testid={`${id}-refusal`} show={where === 'cards'} />
          <div class="side-by-side">
            <div>
              <FigureInputs idPrefix={`${id}-first`} legend="First sort of the cards" candidates={c} values={draft.first} onChange={(k, v) => set({ first: { ...draft.first, [k]: v } })} />
              <RefusalText msg={msg} testid={`${id}-refusal`} show={where === 'first'} />
            </div>
            <div>
              <FigureInputs idPrefix={`${id}-final`} legend="Final sort of the cards" candidates={c} values={draft.final} onChange={(k, v) => set({ final: { ...draft.final, [k]: v } })} />
              <RefusalText msg={msg} testid={`${id}-refusal`} show={where === 'final'} />
            </div>
            <div>
              <FigureInputs idPrefix={`${id}-delegates`} legend="Delegates (only when the cards leave a tie settled by lot)" candidates={c} values={draft.delegates} onChange={(k, v) => set({ delegates: { ...draft.delegates, [k]: v } })} />
              <RefusalText msg={msg} testid={`${id}-refusal`} show={where === 'delegates'} />
            </div>
          </div>
        </>
      )}
      {draft.mode === 'delegates' && (
        <>
          <FigureInputs idPrefix={`${id}-delegates`} legend="Delegates as audited" candidates={c} values={draft.delegates} onChange={(k, v) => set({ delegates: { ...draft.delegates, [k]: v } })} />
          <RefusalText msg={msg} testid={`${id}-refusal`} show={where === 'delegates'} />
        </>
      )}
      {draft.mode === 'unauditable' && (
        <>
          <label for={`${id}-custody`}>What is missing (the custody record, e.g. "packet not found", "12 cards short")</label>
          <input id={`${id}-custody`} value={draft.custody} aria-invalid={invalid('custody')} onInput={(e) => set({ custody: (e.target as HTMLInputElement).value })} />
          <RefusalText msg={msg} testid={`${id}-refusal`} show={where === 'custody'} />
        </>
      )}
      <label for={`${id}-photo`}>Tally sheet photo (optional)</label>
      <input id={`${id}-photo`} type="file" accept="image/*" disabled={busy} aria-invalid={invalid('photo')} onChange={upload} />
      {draft.photo && (
        <p data-testid={`${id}-photo-hash`}>
          Attached: <code class="hash">{draft.photo}</code>{' '}
          <button type="button" class="link" onClick={() => set({ photo: '' })}>
            remove
          </button>
        </p>
      )}
      <RefusalText msg={msg} testid={`${id}-refusal`} show={where === 'photo'} />
      <button type="submit" class="primary" disabled={busy}>
        Enter the tally
      </button>
      <RefusalText msg={msg} testid={`${id}-refusal`} show={where === 'form'} />
    </form>
  );
}
