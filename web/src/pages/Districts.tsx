// Geographic distribution, public (POST /api/v1/districts/analyze; docs/conventions.md): a plan
// splitting a district's seats into sub-pools, typed as rows (sub-pool, seats, each candidate's
// votes) and analysed by the server as `canvass districts analyze` analyses plan.csv and
// votes.csv. The answer is drawn as it comes: per sub-pool a bar of the seats each candidate wins,
// per candidate the seats under the plan, in one pool and by proportion, the bonus, the three
// indices and the warnings. Nothing here allocates a seat or computes an index; a refusal is the
// API's message, shown beside the form, and the rows stay as typed.
//
// The presets are the six maps of the worked example (../shared/spec/delegates.md §3.3): ten
// blocks of 1,000 voters, X at 40% overall, 5 seats.
import { useState } from 'preact/hooks';
import { analyzeDistrict, type DistrictAnalysis, type DistrictPool, type DistrictRequest } from '../api';
import { colourOf } from '../palette';
import { Alert, RefusalText, refusalOf, type Refusal } from '../ui';

interface Row { key: number; pool: string; seats: string; votes: string[] }
interface Form { district: string; seats: string; candidates: string[]; rows: Row[]; ratio: string; lots: string }

// X's votes in each block of the worked example; Y has the rest of its 1,000.
const BLOCK_X = [920, 800, 700, 600, 330, 250, 200, 100, 50, 50];

interface Preset { name: string; pools: number[][]; seats: number[] }
export const PRESETS: Preset[] = [
  { name: 'One 5-seat pool', pools: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], seats: [5] },
  { name: 'North (blocks 1-4) 2, South 3', pools: [[0, 1, 2, 3], [4, 5, 6, 7, 8, 9]], seats: [2, 3] },
  { name: 'Pack: blocks 1-5 2, 6-10 3', pools: [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]], seats: [2, 3] },
  { name: 'Five 1-seat, stronghold whole', pools: [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]], seats: [1, 1, 1, 1, 1] },
  { name: 'Crack: five 1-seat, stronghold split', pools: [[0, 8], [1, 7], [2, 6], [3, 5], [4, 9]], seats: [1, 1, 1, 1, 1] },
  { name: 'Five 1-seat drawn for X', pools: [[0, 7], [1, 5], [2, 4], [3, 8], [6, 9]], seats: [1, 1, 1, 1, 1] },
];

let nextKey = 1;

function presetForm(p: Preset, keep?: Form): Form {
  const rows = p.pools.map((blocks, k) => {
    const x = blocks.reduce((sum, b) => sum + (BLOCK_X[b] ?? 0), 0);
    return { key: nextKey++, pool: `P${k + 1}`, seats: String(p.seats[k]), votes: [String(x), String(blocks.length * 1000 - x)] };
  });
  return { district: 'CD9', seats: '5', candidates: ['X', 'Y'], rows, ratio: keep?.ratio ?? '5/4', lots: keep?.lots ?? '' };
}

// A box as the API takes it: empty counts 0, a whole number goes as a number, anything else as
// typed, so that the server's refusal names it.
function figure(text: string): number | string {
  const t = text.trim();
  if (t === '') return 0;
  return /^-?\d{1,15}$/.test(t) ? Number(t) : t;
}

export function requestOf(f: Form): DistrictRequest {
  const body: DistrictRequest = {
    plan: [{ district: f.district, pool: '', seats: figure(f.seats) }],
    votes: [],
  };
  for (const r of f.rows) {
    body.plan.push({ district: f.district, pool: r.pool, seats: figure(r.seats) });
    f.candidates.forEach((c, i) => {
      // One unit per sub-pool: the row is the sub-pool's total.
      body.votes.push({ pool: r.pool, unit: r.pool, candidate: c, votes: figure(r.votes[i] ?? '') });
    });
  }
  if (f.ratio.trim() !== '') body.seats_per_voter_ratio = f.ratio.trim();
  const lots = f.lots.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (lots.length) body.lots = lots;
  return body;
}

function SeatBar(props: { pool: DistrictPool; candidates: string[]; id: string; label: string }) {
  const { pool, candidates, id } = props;
  return (
    <div class="seat-pool" data-testid={id}>
      <h4>
        <span data-testid={`${id}-name`}>{props.label}</span>:{' '}
        <span data-testid={`${id}-seats`}>{pool.seats}</span> {pool.seats === 1 ? 'seat' : 'seats'},{' '}
        <span data-testid={`${id}-votes`}>{pool.votes}</span> votes
        {pool.fallback_applied ? <span class="tag warn">Rule 14.F fallback</span> : null}
      </h4>
      <div class="seat-bar" role="img" aria-label={candidates.map((c) => `${c} ${pool.allocation[c] ?? 0}`).join(', ')}>
        {candidates.flatMap((c) =>
          Array.from({ length: pool.allocation[c] ?? 0 }, (_, s) => (
            <span key={`${c}-${s}`} class="seat" style={{ background: colourOf(candidates, c) }} title={c} />
          )),
        )}
      </div>
      <ul class="legend">
        {candidates.map((c, i) => (
          <li key={c}>
            <span class="swatch" style={{ background: colourOf(candidates, c) }} />
            {c} <strong data-testid={`${id}-alloc-${i}`}>{pool.allocation[c] ?? 0}</strong>{' '}
            <span class="muted">(share <span data-testid={`${id}-share-${i}`}>{pool.shares[c]}</span>)</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Answer(props: { a: DistrictAnalysis }) {
  const { a } = props;
  const names = a.candidates.map((c) => c.candidate);
  const two = a.eg_star !== undefined;
  return (
    <section aria-labelledby="answer-h" data-testid="answer">
      <h2 id="answer-h">
        District <span data-testid="answer-district">{a.district}</span>: <span data-testid="answer-seats">{a.seats}</span> seats,{' '}
        <span data-testid="answer-votes">{a.votes}</span> votes
      </h2>
      {a.warnings.length ? (
        <Alert kind="warn">
          <strong>Warnings</strong>
          <ul data-testid="warnings">
            {a.warnings.map((w, i) => <li key={i} data-testid={`warning-${i}`}>{w}</li>)}
          </ul>
        </Alert>
      ) : <p class="muted" data-testid="warnings">No warnings.</p>}
      {a.notes.length ? (
        <Alert kind="info">
          <ul data-testid="notes">
            {a.notes.map((n, i) => <li key={i} data-testid={`note-${i}`}>{n}</li>)}
          </ul>
        </Alert>
      ) : null}
      <article class="card">
        <h3>Seats by sub-pool</h3>
        {a.sub_pools.map((p, k) => <SeatBar key={p.pool} pool={p} candidates={names} id={`pool-${k}`} label={`Sub-pool ${p.pool}`} />)}
        <SeatBar pool={a.one_pool} candidates={names} id="one-pool" label="The district as one pool" />
      </article>
      <article class="card">
        <h3>Seats by candidate</h3>
        <div class="side-by-side">
          {a.candidates.map((c, i) => (
            <div key={c.candidate} data-testid={`cand-${i}`}>
              <h4>
                <span class="swatch" style={{ background: colourOf(names, c.candidate) }} />
                <span data-testid={`cand-${i}-name`}>{c.candidate}</span>
              </h4>
              <dl class="facts-list">
                <div><dt>Votes</dt><dd data-testid={`cand-${i}-votes`}>{c.votes}</dd></div>
                <div><dt>Share</dt><dd data-testid={`cand-${i}-share`}>{c.share}</dd></div>
                <div><dt>Seats, plan</dt><dd data-testid={`cand-${i}-plan`}>{c.plan_seats}</dd></div>
                <div><dt>Seats, one pool</dt><dd data-testid={`cand-${i}-one-pool`}>{c.one_pool_seats}</dd></div>
                <div><dt>Proportional</dt><dd data-testid={`cand-${i}-proportional`}>{c.proportional}</dd></div>
                <div><dt>Bonus, plan</dt><dd data-testid={`cand-${i}-bonus`}>{c.bonus}</dd></div>
                <div><dt>Bonus, one pool</dt><dd data-testid={`cand-${i}-one-pool-bonus`}>{c.one_pool_bonus}</dd></div>
                <div><dt>Map effect</dt><dd data-testid={`cand-${i}-map-effect`}>{c.map_effect}</dd></div>
              </dl>
            </div>
          ))}
        </div>
        <p class="muted">
          Proportional: the seats times the vote share. Bonus: seats won minus that. Map effect: the plan's
          seats minus one pool's.
        </p>
      </article>
      <article class="card">
        <h3>Indices</h3>
        <dl class="facts-list">
          <div><dt>Loosemore–Hanby, plan</dt><dd data-testid="lh-plan">{a.plan.loosemore_hanby}</dd></div>
          <div><dt>Loosemore–Hanby, one pool</dt><dd data-testid="lh-one-pool">{a.one_pool_indices.loosemore_hanby}</dd></div>
          <div>
            <dt>Gallagher, plan</dt>
            <dd><span data-testid="gallagher-plan">{a.plan.gallagher}</span> <span class="muted">(square <span data-testid="gallagher-square-plan">{a.plan.gallagher_square}</span>)</span></dd>
          </div>
          <div>
            <dt>Gallagher, one pool</dt>
            <dd>
              <span data-testid="gallagher-one-pool">{a.one_pool_indices.gallagher}</span>{' '}
              <span class="muted">(square <span data-testid="gallagher-square-one-pool">{a.one_pool_indices.gallagher_square}</span>)</span>
            </dd>
          </div>
          {two && a.eg_star && a.eg_delta ? (
            <>
              <div>
                <dt>EG*</dt>
                <dd><span data-testid="eg-star">{a.eg_star.decimal}</span> <span class="muted">(<span data-testid="eg-star-exact">{a.eg_star.exact}</span>)</span></dd>
              </div>
              <div>
                <dt>EG, Droop quota, plan</dt>
                <dd><span data-testid="eg-plan">{a.waste_droop.gap?.decimal}</span> <span class="muted">(<span data-testid="eg-plan-exact">{a.waste_droop.gap?.exact}</span>)</span></dd>
              </div>
              <div>
                <dt>EG, Droop quota, one pool</dt>
                <dd>
                  <span data-testid="eg-one-pool">{a.one_pool_waste_droop.gap?.decimal}</span>{' '}
                  <span class="muted">(<span data-testid="eg-one-pool-exact">{a.one_pool_waste_droop.gap?.exact}</span>)</span>
                </dd>
              </div>
              <div>
                <dt>ΔEG</dt>
                <dd><span data-testid="eg-delta">{a.eg_delta.decimal}</span> <span class="muted">(<span data-testid="eg-delta-exact">{a.eg_delta.exact}</span>)</span></dd>
              </div>
              <div>
                <dt>EG, Hare quota, plan</dt>
                <dd><span data-testid="eg-hare">{a.waste_hare.gap?.decimal}</span> <span class="muted">(<span data-testid="eg-hare-exact">{a.waste_hare.gap?.exact}</span>)</span></dd>
              </div>
            </>
          ) : (
            a.candidates.map((c, i) => (
              <div key={c.candidate}>
                <dt>Excess waste, {c.candidate}</dt>
                <dd>
                  <span data-testid={`excess-${i}`}>{a.waste_droop.candidates[c.candidate]?.excess.decimal}</span>{' '}
                  <span class="muted">(<span data-testid={`excess-${i}-exact`}>{a.waste_droop.candidates[c.candidate]?.excess.exact}</span>)</span>
                </dd>
              </div>
            ))
          )}
        </dl>
        <p class="muted">
          Loosemore–Hanby and Gallagher measure seats against votes (0: proportional). The efficiency gap counts the votes each
          candidate wastes under the Droop quota; EG* corrects it for the candidates' vote shares (docs/conventions.md).
        </p>
      </article>
    </section>
  );
}

export function DistrictsPage() {
  const [form, setForm] = useState<Form>(() => presetForm(PRESETS[0]!));
  const [preset, setPreset] = useState('0');
  const [answer, setAnswer] = useState<DistrictAnalysis | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);

  const edit = (change: (f: Form) => Form) => {
    setForm((f) => change(f));
    setPreset('');
  };
  const setRow = (key: number, change: (r: Row) => Row) =>
    edit((f) => ({ ...f, rows: f.rows.map((r) => (r.key === key ? change(r) : r)) }));

  const analyze = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      setAnswer(await analyzeDistrict(requestOf(form)));
      setRefusal(null);
    } catch (err) {
      // The rows stay as typed; the answer drawn for other rows is taken away.
      setAnswer(null);
      setRefusal(refusalOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Geographic distribution</h1>
      <p>
        What a plan that splits a district's seats into sub-pools does to the result: each sub-pool allocated by the DNC's
        rules (15% threshold, largest remainder), against the district as one pool and against proportion.
      </p>
      <div class="two-col districts">
        <form class="card" onSubmit={analyze} aria-labelledby="plan-h" data-testid="plan-form">
          <h2 id="plan-h">The plan</h2>
          <label for="preset">Worked example (10 blocks, X at 40%, 5 seats)</label>
          <select
            id="preset"
            value={preset}
            onChange={(e) => {
              const v = (e.target as HTMLSelectElement).value;
              const p = PRESETS[Number(v)];
              if (v === '' || !p) return;
              setForm((f) => presetForm(p, f));
              setPreset(v);
            }}
          >
            <option value="">Your own rows</option>
            {PRESETS.map((p, i) => <option key={p.name} value={String(i)}>{p.name}</option>)}
          </select>
          <div class="plan-head">
            <div>
              <label for="district">District</label>
              <input id="district" value={form.district} onInput={(e) => edit((f) => ({ ...f, district: (e.target as HTMLInputElement).value }))} />
            </div>
            <div>
              <label for="district-seats">District's seats</label>
              <input id="district-seats" inputMode="numeric" value={form.seats} onInput={(e) => edit((f) => ({ ...f, seats: (e.target as HTMLInputElement).value }))} />
            </div>
          </div>
          <fieldset>
            <legend>Candidates</legend>
            {form.candidates.map((c, i) => (
              <div class="row-between" key={i}>
                <label class="sr-only" for={`candidate-${i}`}>Candidate {i + 1}</label>
                <input
                  id={`candidate-${i}`}
                  class="grow"
                  value={c}
                  onInput={(e) => edit((f) => ({ ...f, candidates: f.candidates.map((x, j) => (j === i ? (e.target as HTMLInputElement).value : x)) }))}
                />
                {form.candidates.length > 1 ? (
                  <button
                    type="button"
                    onClick={() => edit((f) => ({
                      ...f,
                      candidates: f.candidates.filter((_, j) => j !== i),
                      rows: f.rows.map((r) => ({ ...r, votes: r.votes.filter((_, j) => j !== i) })),
                    }))}
                  >
                    Remove {c || `candidate ${i + 1}`}
                  </button>
                ) : null}
              </div>
            ))}
            <button type="button" onClick={() => edit((f) => ({ ...f, candidates: [...f.candidates, ''], rows: f.rows.map((r) => ({ ...r, votes: [...r.votes, ''] })) }))}>
              Add a candidate
            </button>
          </fieldset>
          {form.rows.map((r, k) => (
            <fieldset key={r.key} data-testid={`row-${k}`}>
              <legend>Sub-pool {k + 1}</legend>
              <div class="plan-head">
                <div>
                  <label for={`row-${r.key}-pool`}>Name</label>
                  <input id={`row-${r.key}-pool`} data-testid={`row-${k}-pool`} value={r.pool} onInput={(e) => setRow(r.key, (x) => ({ ...x, pool: (e.target as HTMLInputElement).value }))} />
                </div>
                <div>
                  <label for={`row-${r.key}-seats`}>Seats</label>
                  <input id={`row-${r.key}-seats`} data-testid={`row-${k}-seats`} inputMode="numeric" value={r.seats} onInput={(e) => setRow(r.key, (x) => ({ ...x, seats: (e.target as HTMLInputElement).value }))} />
                </div>
              </div>
              <div class="figures">
                {form.candidates.map((c, i) => (
                  <div class="figure" key={i}>
                    <label for={`row-${r.key}-votes-${i}`}>{c || `Candidate ${i + 1}`}'s votes</label>
                    <input
                      id={`row-${r.key}-votes-${i}`}
                      data-testid={`row-${k}-votes-${i}`}
                      inputMode="numeric"
                      value={r.votes[i] ?? ''}
                      onInput={(e) => setRow(r.key, (x) => ({ ...x, votes: x.votes.map((v, j) => (j === i ? (e.target as HTMLInputElement).value : v)) }))}
                    />
                  </div>
                ))}
              </div>
              {form.rows.length > 1 ? (
                <button type="button" onClick={() => edit((f) => ({ ...f, rows: f.rows.filter((x) => x.key !== r.key) }))}>
                  Remove sub-pool {r.pool || k + 1}
                </button>
              ) : null}
            </fieldset>
          ))}
          <button
            type="button"
            onClick={() => edit((f) => ({ ...f, rows: [...f.rows, { key: nextKey++, pool: `P${f.rows.length + 1}`, seats: '1', votes: f.candidates.map(() => '') }] }))}
          >
            Add a sub-pool
          </button>
          <label for="ratio">Warn when seats per voter differ by more than (to 1)</label>
          <input id="ratio" value={form.ratio} onInput={(e) => edit((f) => ({ ...f, ratio: (e.target as HTMLInputElement).value }))} />
          <label for="lots">Lots drawn for a tie, in order (optional, names separated by commas)</label>
          <input id="lots" value={form.lots} onInput={(e) => edit((f) => ({ ...f, lots: (e.target as HTMLInputElement).value }))} />
          <RefusalText msg={refusal} testid="districts-refusal" />
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>Analyze</button>
          </div>
        </form>
        <div>{answer ? <Answer a={answer} /> : <p class="muted" data-testid="no-answer">Analyze a plan to see its seats and indices.</p>}</div>
      </div>
    </>
  );
}
