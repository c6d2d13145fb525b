// The national delegate count (GET /api/v1/national): every candidate's pledged delegates, what
// each still needs and its status, the majorities with their rules, each voted state's pools, and
// the path to the majority over the calendar (an SVG chart and the same figures as a table).
// The election's own state is live: the server recomputes it whenever the results change.
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { colourOf } from '../palette';

interface Standing { candidate: string; won: number; status: string; needs: number; needs_share_of_remaining: string }
interface Pool { pool: string; kind: string; seats: number; basis: string; allocation: Record<string, number>; allocated: number; reasons: string[] }
interface StateRow { state: string; status: string; pledged: number; won: Record<string, number>; pools: Pool[] }
interface Count {
  ruleset: string; pledged: number; allocated: number; remaining: number; brokered: boolean;
  first_ballot: { delegates: number; majority: number; majority_floor_half_plus_one: number; majority_ceil_half_plus_one: number };
  later_ballot: { votes: string; majority: string };
  standings: Standing[]; states: StateRow[];
}
interface NationalBody { state: string; side: string | null; calendar: { state: string; date: string }[]; national: Count; ledger?: { seq: number } }

const W = 600;
const H = 240;
const PAD = { left: 48, right: 12, top: 10, bottom: 30 };
const MAX_LINES = 6;

// Cumulative delegates won per candidate after each contest date, voted states only; a voted
// state without a date counts on the first point, labelled "undated".
export function pathOf(body: NationalBody, shown: string[]): { date: string; states: string[]; won: Record<string, number> }[] {
  const dateOf = new Map(body.calendar.map((c) => [c.state, c.date]));
  const voted = body.national.states.filter((s) => s.status === 'voted');
  const dates = Array.from(new Set(voted.map((s) => dateOf.get(s.state) ?? 'undated'))).sort((a, b) => (a === 'undated' ? -1 : b === 'undated' ? 1 : a.localeCompare(b)));
  const running: Record<string, number> = Object.fromEntries(shown.map((c) => [c, 0]));
  return dates.map((date) => {
    const states = voted.filter((s) => (dateOf.get(s.state) ?? 'undated') === date);
    for (const s of states) for (const c of shown) running[c] = (running[c] ?? 0) + (s.won[c] ?? 0);
    return { date, states: states.map((s) => s.state), won: { ...running } };
  });
}

function PathChart(props: { body: NationalBody; candidates: string[] }) {
  const { body, candidates } = props;
  const shown = candidates.filter((c) => (body.national.standings.find((s) => s.candidate === c)?.won ?? 0) > 0).slice(0, MAX_LINES);
  const points = pathOf(body, shown);
  if (points.length === 0) return <p class="muted" data-testid="path-empty">No state has voted yet.</p>;
  const majority = body.national.first_ballot.majority;
  const ymax = majority;
  const x = (i: number) => PAD.left + (points.length === 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (points.length - 1));
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - Math.min(v, ymax) / ymax);
  return (
    <figure class="path-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="path-title" width="100%" style="max-width: 100%; height: auto">
        <title id="path-title">Pledged delegates won by date, against the first-ballot majority of {majority}</title>
        <line x1={PAD.left} x2={W - PAD.right} y1={y(majority)} y2={y(majority)} stroke="currentColor" stroke-dasharray="6 4" />
        <text x={W - PAD.right} y={y(majority) + 14} text-anchor="end" font-size="12">majority {majority}</text>
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} stroke="currentColor" />
        <text x={PAD.left - 4} y={y(0)} text-anchor="end" font-size="12">0</text>
        {points.map((p, i) => (
          <text key={p.date} x={x(i)} y={H - 8} text-anchor="middle" font-size="11">{p.date}</text>
        ))}
        {shown.map((c) => (
          <g key={c}>
            <path d={points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.won[c] ?? 0).toFixed(1)}`).join('')} fill="none" stroke={colourOf(candidates, c)} stroke-width="2" />
            {points.map((p, i) => <circle key={i} cx={x(i)} cy={y(p.won[c] ?? 0)} r="3" fill={colourOf(candidates, c)} />)}
          </g>
        ))}
      </svg>
      <figcaption>
        <ul class="legend">
          {shown.map((c) => (
            <li key={c}><span class="swatch" style={`background:${colourOf(candidates, c)}`} aria-hidden="true" /> {c}</li>
          ))}
        </ul>
      </figcaption>
      <div class="table-wrap">
        <table data-testid="path-table">
          <caption>The path to the majority, contest date by contest date (cumulative pledged delegates)</caption>
          <thead><tr><th scope="col">Date</th><th scope="col">States</th>{shown.map((c) => <th scope="col" key={c}>{c}</th>)}</tr></thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.date}>
                <th scope="row">{p.date}</th>
                <td>{p.states.join(', ')}</td>
                {shown.map((c) => <td key={c} data-testid={`path-${p.date}-${c}`}>{p.won[c]}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

function percent(share: string): string {
  const n = Number(share) * 100;
  return `${n.toFixed(2)}%`;
}

export function NationalPage() {
  const [body, setBody] = useState<NationalBody | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let stop = false;
    const load = () =>
      get<NationalBody>('/api/v1/national').then(
        (b) => { if (!stop) { setBody(b); setError(''); } },
        (e) => { if (!stop) setError(String(e?.message ?? e)); },
      );
    load();
    const timer = window.setInterval(load, 5000);
    return () => { stop = true; window.clearInterval(timer); };
  }, []);
  if (!body) return <section><h1>National delegate count</h1><p class="muted">{error || 'Loading…'}</p></section>;
  const n = body.national;
  const standings = [...n.standings].sort((a, b) => b.won - a.won || a.candidate.localeCompare(b.candidate));
  const candidates = n.standings.map((s) => s.candidate);
  const voted = n.states.filter((s) => s.status === 'voted');
  return (
    <section aria-labelledby="national-h">
      <h1 id="national-h">National delegate count</h1>
      <p class="muted" data-testid="national-source">
        {body.side ? `${body.state} live from its ${body.side} results; ` : ''}other states from the server's files; ruleset {n.ruleset}.
      </p>
      <h2>Majorities</h2>
      <dl class="facts-list">
        <dt>First ballot</dt>
        <dd data-testid="majority">{n.first_ballot.majority} of {n.first_ballot.delegates} pledged delegates</dd>
        <dt>The rule</dt>
        <dd>the ruleset's majority; floor(N/2)+1 = {n.first_ballot.majority_floor_half_plus_one}, ceil(N/2+1) = {n.first_ballot.majority_ceil_half_plus_one}</dd>
        <dt>Later ballots</dt>
        <dd data-testid="later-majority">{n.later_ballot.majority} of {n.later_ballot.votes} votes (automatic delegates join)</dd>
        <dt>Allocated</dt>
        <dd>{n.allocated} of {n.pledged}; {n.remaining} remaining</dd>
        <dt>Convention</dt>
        <dd data-testid="brokered">{n.brokered ? 'Brokered: nobody can reach the first-ballot majority' : 'Not brokered: someone can still reach the first-ballot majority'}</dd>
      </dl>
      <h2>Candidates</h2>
      <div class="table-wrap">
        <table data-testid="national-table">
          <caption class="sr-only">Pledged delegates won, still needed and status, by candidate</caption>
          <thead><tr><th scope="col">Candidate</th><th scope="col">Pledged won</th><th scope="col">Needed</th><th scope="col">Status</th></tr></thead>
          <tbody>
            {standings.map((s) => (
              <tr key={s.candidate}>
                <th scope="row">{s.candidate}</th>
                <td data-testid={`won-${s.candidate}`}>{s.won}</td>
                <td data-testid={`needs-${s.candidate}`}>
                  {s.needs}
                  {s.status === 'open' && s.needs > 0 ? <span class="muted"> ({percent(s.needs_share_of_remaining)} of the rest)</span> : null}
                </td>
                <td data-testid={`status-${s.candidate}`}>{s.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>The path to the majority</h2>
      <PathChart body={body} candidates={candidates} />
      <h2>States that have voted</h2>
      {voted.length === 0 ? <p class="muted">None yet.</p> : null}
      {voted.map((s) => (
        <details key={s.state} data-testid={`state-${s.state}`}>
          <summary>{s.state}: {Object.entries(s.won).map(([c, w]) => `${c} ${w}`).join(', ') || 'nothing allocated yet'} ({s.pledged} pledged)</summary>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">{s.state}'s pools</caption>
              <thead><tr><th scope="col">Pool</th><th scope="col">Seats</th><th scope="col">Allocation</th><th scope="col">Basis</th></tr></thead>
              <tbody>
                {s.pools.map((p) => (
                  <tr key={p.pool}>
                    <th scope="row">{p.pool}</th>
                    <td>{p.seats}</td>
                    <td>{Object.entries(p.allocation).map(([c, w]) => `${c} ${w}`).join(', ') || '—'}{p.reasons.length ? <div class="muted">{p.reasons.join('; ')}</div> : null}</td>
                    <td>{p.basis || 'no votes'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ))}
    </section>
  );
}
