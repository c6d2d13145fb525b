// The district conventions, public (GET /api/v1/conventions and /api/v1/conventions/{name}):
// each convention's procedures with their notice, every waiver and its reason, the stages opened,
// the filers and each campaign's review, and per pool the result the ledger counts: formula,
// seats, the sweep share, who was elected (equal division's swaps marked), ties and lots, and what
// the DNC's Hare method would give on the same vote. Every figure is the server's; the only
// thing computed here is when a procedure's notice ends (its time plus the notice period), the
// same sum the ledger makes before it opens a stage.
import { useEffect, useState } from 'preact/hooks';
import { get, describeError } from '../api';
import { Alert, StatusBadge } from '../ui';

interface Waiver { seq: number; time: string; procedure: number; stage: string; by: string; reason: string }
interface ProcedurePool { name: string; seats: number; preference?: string }
interface Procedure {
  seq: number; time: string; hash: string; formula: string; title: string; pools: ProcedurePool[];
  filing_deadline: string; votes_per_voter?: number;
  equal_division: false | { variance: number; non_binary: string }; note?: string;
}
interface Stage { seq: number; time: string; procedure: number; waiver?: Waiver }
interface Filer {
  seq: number; time: string; name: string; preference: string; gender: string; district: string; pledge: string;
  review: string; review_seq?: number; review_reason?: string;
}
interface Slate { seq: number; pool: string; slate: string; nominees: string[] }
interface Elected { name: string; option: string; preference?: string; gender?: string; swapped_in?: boolean }
interface Tie { what: string; tied: string[]; favoured: string[] }
interface PoolResult {
  pool: string; status: string; message?: string; formula?: string; title?: string; seats?: number; preference?: string;
  sweep_share?: string; sweep?: string; procedure?: { seq: number; time: string; hash: string }; waivers?: Waiver[];
  source?: { tally?: number; ballots?: number }; lots?: { seq: number; order: string[] };
  votes?: Record<string, number>; won?: Record<string, number>; elected?: Elected[]; quota?: string; ties?: Tie[];
  equal_division?: false | { balanced: boolean; women: number; men: number; non_binary: number; variance: number; swaps: string[] };
  dnc?: { method: string; complete: boolean; groups: Record<string, { votes: string; seats: number }> };
  notes?: string[];
  tied?: string[]; // needs-lots: the options the drawing must order
}
interface VoterRoll { seq: number; time: string; by: string; pool: string | null; count: number }
export interface ConventionBody {
  convention: string; district: string; seq: number; notice_days: number; min_approved_per_slot: number;
  procedures: Procedure[]; waivers: Waiver[]; filing: Stage | null; voting: Stage | null;
  closed: { seq: number; time: string } | null; filers: Filer[]; slates: Slate[]; results: PoolResult[];
  voter_roll?: VoterRoll[];
}
interface ConventionList { conventions: { convention: string; district: string }[] }

const DAY_MS = 86_400_000;

// A procedure's notice ends notice_days after its publication, in the ledger's time format.
export function noticeEnds(time: string, days: number): string {
  const t = Date.parse(time);
  return Number.isNaN(t) ? '–' : new Date(t + days * DAY_MS).toISOString();
}

function usePolled<T>(path: string): [T | null, string] {
  const [body, setBody] = useState<T | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let stop = false;
    setBody(null);
    const load = () =>
      get<T>(path).then(
        (b) => { if (!stop) { setBody(b); setError(''); } },
        (e) => { if (!stop) setError(describeError(e)); },
      );
    load();
    const timer = window.setInterval(load, 5000);
    return () => { stop = true; window.clearInterval(timer); };
  }, [path]);
  return [body, error];
}

function WaiverNotice(props: { w: Waiver; prefix: string }) {
  const { w } = props;
  return (
    <Alert kind="warn">
      <strong>Notice waived</strong> for <span data-testid={`${props.prefix}-stage`}>{w.stage}</span> under procedure{' '}
      {w.procedure}: <q data-testid={`${props.prefix}-reason`}>{w.reason}</q>{' '}
      <span class="muted">(waiver {w.seq}, by {w.by}, {w.time})</span>
    </Alert>
  );
}

function StageLine(props: { label: string; stage: Stage | null; testid: string }) {
  const s = props.stage;
  return (
    <div>
      <dt>{props.label}</dt>
      <dd data-testid={props.testid}>
        {s ? `opened ${s.time} under procedure ${s.procedure}${s.waiver ? `, notice waived (waiver ${s.waiver.seq})` : ''}` : 'not open'}
      </dd>
    </div>
  );
}

function ProcedureCard(props: { p: Procedure; noticeDays: number; standing: boolean }) {
  const { p } = props;
  const id = `procedure-${p.seq}`;
  return (
    <article class="card" data-testid={id} aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>
        Procedure {p.seq}: <span data-testid={`${id}-title`}>{p.title}</span>{' '}
        {props.standing ? <span class="badge">standing</span> : <span class="badge">replaced</span>}
      </h3>
      <dl class="facts-list">
        <div><dt>Published</dt><dd data-testid={`${id}-time`}>{p.time}</dd></div>
        <div><dt>Formula</dt><dd data-testid={`${id}-formula`}>{p.formula}{p.votes_per_voter ? `, ${p.votes_per_voter} votes each` : ''}</dd></div>
        <div><dt>Filing deadline</dt><dd data-testid={`${id}-deadline`}>{p.filing_deadline}</dd></div>
        <div><dt>Notice</dt><dd data-testid={`${id}-notice`}>{props.noticeDays} days, until {noticeEnds(p.time, props.noticeDays)}</dd></div>
        <div>
          <dt>Equal division</dt>
          <dd data-testid={`${id}-equal`}>{p.equal_division ? `variance ${p.equal_division.variance}, non-binary ${p.equal_division.non_binary}` : 'off'}</dd>
        </div>
      </dl>
      <p class="hash">Hash <code data-testid={`${id}-hash`}>{p.hash}</code></p>
      <ul data-testid={`${id}-pools`}>
        {p.pools.map((pool) => (
          <li key={pool.name} data-testid={`${id}-pool-${pool.name}`}>
            {pool.name}: {pool.seats} {pool.seats === 1 ? 'seat' : 'seats'}, {pool.preference ? `${pool.preference}'s supporters` : 'the whole district'}
          </li>
        ))}
      </ul>
      {p.note ? <p class="muted">{p.note}</p> : null}
    </article>
  );
}

function PoolCard(props: { r: PoolResult }) {
  const { r } = props;
  const id = `pool-${r.pool}`;
  const options = Object.keys(r.votes ?? {});
  const groups = Object.entries(r.dnc?.groups ?? {});
  const ed = r.equal_division;
  return (
    <article class="card" data-testid={id} aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>
        Pool {r.pool} <span data-testid={`${id}-status`}><StatusBadge status={r.status} /></span>
      </h3>
      {r.message ? <Alert kind={r.status === 'needs-lots' ? 'warn' : 'info'}><span data-testid={`${id}-message`}>{r.message}</span></Alert> : null}
      {(r.waivers ?? []).map((w) => <WaiverNotice key={w.seq} w={w} prefix={`${id}-waiver-${w.seq}`} />)}
      {r.formula ? (
        <dl class="facts-list">
          <div><dt>Formula</dt><dd data-testid={`${id}-formula`}>{r.title} ({r.formula})</dd></div>
          <div><dt>Seats</dt><dd data-testid={`${id}-seats`}>{r.seats}</dd></div>
          <div><dt>Procedure</dt><dd data-testid={`${id}-procedure`}>{r.procedure?.seq}, {r.procedure?.time}</dd></div>
          <div>
            <dt>Counted from</dt>
            <dd data-testid={`${id}-source`}>{r.source?.tally !== undefined ? `the officers' tally (event ${r.source.tally})` : `${r.source?.ballots ?? 0} ballots`}</dd>
          </div>
          {r.quota !== undefined ? <div><dt>Quota</dt><dd data-testid={`${id}-quota`}>{r.quota}</dd></div> : null}
        </dl>
      ) : null}
      {r.sweep ? <p data-testid={`${id}-sweep`}>{r.sweep} <span class="muted">(sweep share <span data-testid={`${id}-sweep-share`}>{r.sweep_share}</span>)</span></p> : null}
      {options.length ? (
        <div class="table-wrap">
          <table data-testid={`${id}-votes`}>
            <caption>The vote in pool {r.pool}</caption>
            <thead><tr><th scope="col">Option</th><th scope="col">Votes</th><th scope="col">Seats</th></tr></thead>
            <tbody>
              {options.map((o) => (
                <tr key={o}>
                  <th scope="row">{o}</th>
                  <td data-testid={`${id}-votes-${o}`}>{r.votes?.[o]}</td>
                  <td data-testid={`${id}-won-${o}`}>{r.won?.[o] ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {r.elected ? (
        <>
          <h4>Elected</h4>
          {r.elected.length === 0 ? <p class="muted">Nobody.</p> : null}
          <ol data-testid={`${id}-elected`}>
            {r.elected.map((d) => (
              <li key={d.name} data-testid={`${id}-elected-${d.name}`}>
                {d.name} <span class="muted">({d.gender ?? 'gender not given'}{d.option !== d.name ? `; ${d.option}` : ''})</span>
                {d.swapped_in ? <> <span class="tag warn">swapped in by equal division</span></> : null}
              </li>
            ))}
          </ol>
        </>
      ) : null}
      {ed ? (
        <p data-testid={`${id}-equal`}>
          Equal division (variance {ed.variance}): {ed.women} women, {ed.men} men, {ed.non_binary} non-binary;{' '}
          {ed.balanced ? 'balanced' : 'not balanced'}
          {ed.swaps.length ? `; swaps: ${ed.swaps.join('; ')}` : '; no swaps'}.
        </p>
      ) : ed === false ? <p data-testid={`${id}-equal`}>Equal division: off.</p> : null}
      {r.ties && r.ties.length ? (
        <>
          <h4>Ties</h4>
          <ul data-testid={`${id}-ties`}>
            {r.ties.map((t, i) => (
              <li key={i} data-testid={`${id}-tie-${i}`}>{t.what}: {t.tied.join(', ')} tied; the lots favoured {t.favoured.join(', ')}</li>
            ))}
          </ul>
        </>
      ) : null}
      {r.lots ? <p data-testid={`${id}-lots`}>Lots drawn (event {r.lots.seq}): {r.lots.order.join(', ')}</p> : null}
      {r.dnc ? (
        <div class="table-wrap">
          <table data-testid={`${id}-dnc`}>
            <caption>{r.dnc.method}, on the same vote{r.dnc.complete ? '' : ' (incomplete)'}</caption>
            <thead><tr><th scope="col">Group</th><th scope="col">Votes</th><th scope="col">Seats</th></tr></thead>
            <tbody>
              {groups.map(([g, v]) => (
                <tr key={g}>
                  <th scope="row">{g}</th>
                  <td data-testid={`${id}-dnc-votes-${g}`}>{v.votes}</td>
                  <td data-testid={`${id}-dnc-seats-${g}`}>{v.seats}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {r.notes && r.notes.length ? <ul class="muted">{r.notes.map((n, i) => <li key={i}>{n}</li>)}</ul> : null}
    </article>
  );
}

function ConventionView(props: { name: string }) {
  const [c, error] = usePolled<ConventionBody>(`/api/v1/conventions/${encodeURIComponent(props.name)}`);
  if (!c) {
    return (
      <section>
        <h1>Convention {props.name}</h1>
        {error ? <Alert kind="error">{error}</Alert> : <p class="muted">Loading…</p>}
        <p><a href="#/conventions">All conventions</a></p>
      </section>
    );
  }
  const standing = c.procedures.length ? c.procedures[c.procedures.length - 1]!.seq : 0;
  return (
    <section aria-labelledby="convention-h" data-testid="convention" data-seq={c.seq}>
      <p><a href="#/conventions">All conventions</a></p>
      <h1 id="convention-h">Convention {c.convention}</h1>
      <dl class="facts-list">
        <div><dt>District</dt><dd data-testid="district">{c.district}</dd></div>
        <div><dt>Notice period</dt><dd data-testid="notice-days">{c.notice_days} days</dd></div>
        <div><dt>Approved filers needed</dt><dd data-testid="min-approved">{c.min_approved_per_slot} per seat</dd></div>
        <StageLine label="Filing" stage={c.filing} testid="stage-filing" />
        <StageLine label="Voting" stage={c.voting} testid="stage-voting" />
        <div><dt>Closed</dt><dd data-testid="closed">{c.closed ? `voting closed ${c.closed.time}` : 'not closed'}</dd></div>
      </dl>
      {c.waivers.length ? <h2>Waivers</h2> : null}
      {c.waivers.map((w) => <WaiverNotice key={w.seq} w={w} prefix={`waiver-${w.seq}`} />)}
      <h2>Procedures</h2>
      {c.procedures.length === 0 ? <p class="muted" data-testid="no-procedures">None published yet.</p> : null}
      {c.procedures.map((p) => <ProcedureCard key={p.seq} p={p} noticeDays={c.notice_days} standing={p.seq === standing} />)}
      <h2>Filers</h2>
      {c.filers.length === 0 ? <p class="muted">Nobody has filed yet.</p> : (
        <div class="table-wrap">
          <table data-testid="filers">
            <caption class="sr-only">Delegate candidates filed, and each campaign's review</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Preference</th><th scope="col">Gender</th><th scope="col">Review</th></tr></thead>
            <tbody>
              {c.filers.map((f) => (
                <tr key={f.name} data-testid={`filer-${f.name}`}>
                  <th scope="row">{f.name}</th>
                  <td data-testid={`filer-${f.name}-preference`}>{f.preference}</td>
                  <td data-testid={`filer-${f.name}-gender`}>{f.gender}</td>
                  <td>
                    <span data-testid={`filer-${f.name}-review`}>{f.review}</span>
                    {f.review_reason ? <div class="muted" data-testid={`filer-${f.name}-reason`}>{f.review_reason}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {c.slates.length ? (
        <>
          <h2>Slates</h2>
          <ul data-testid="slates">
            {c.slates.map((s) => <li key={s.seq}>{s.pool}: {s.slate} — {s.nominees.join(', ')}</li>)}
          </ul>
        </>
      ) : null}
      <h2>Results</h2>
      {c.results.length === 0 ? <p class="muted" data-testid="no-results">Voting has not opened.</p> : null}
      {c.results.map((r) => <PoolCard key={r.pool} r={r} />)}
    </section>
  );
}

function ConventionListView() {
  const [list, error] = usePolled<ConventionList>('/api/v1/conventions');
  return (
    <section aria-labelledby="conventions-h">
      <h1 id="conventions-h">District conventions</h1>
      <p class="muted">A convention's officers log in at <a href="#/officer">#/officer</a>, its voters at <a href="#/voter">#/voter</a>; campaigns review their filers on <a href="#/campaign">the campaign page</a>.</p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {!list ? <p class="muted">Loading…</p> : list.conventions.length === 0 ? <p class="muted">No convention yet.</p> : (
        <ul data-testid="convention-list">
          {list.conventions.map((c) => (
            <li key={c.convention}>
              <a href={`#/conventions/${encodeURIComponent(c.convention)}`}>{c.convention}</a> <span class="muted">({c.district})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function ConventionsPage(props: { name?: string }) {
  return props.name ? <ConventionView name={props.name} /> : <ConventionListView />;
}
