// The district conventions' forms, by role (docs/api.md "Conventions"; docs/conventions.md "On
// the ledger"): a campaign approves or strikes its own filers (CampaignConventions, on the
// campaign page); a convention's officer (#/officer) files delegate candidates and slates, opens a
// stage, enters a pool's tally, records the lots a tied pool needs and closes voting (after a
// confirmation); a voter (#/voter) casts the ballot of its pool as the procedure's formula reads
// it, and sees whether its code has voted (GET .../my-ballot: the ballot's event, time and hash).
// Every figure shown is the server's GET /api/v1/conventions/{name}, reloaded after each write; a
// refusal is shown beside its form and the form keeps what was typed.
import { useEffect, useState } from 'preact/hooks';
import { call, describeError, get, newSubmissionId, type Election, type Receipt, type Session } from '../api';
import { Alert, Login, LogoutBar, RefusalText, StatusBadge, refusalOf, useSession, type Refusal } from '../ui';
import { noticeEnds, type ConventionBody } from './Conventions';

type Procedure = ConventionBody['procedures'][number];
type Filer = ConventionBody['filers'][number];
type PoolSpec = Procedure['pools'][number];

const LIST_FORMULAS = new Set(['hare', 'droop', 'dhondt', 'sainte-lague']);
const GENDERS = ['woman', 'man', 'non-binary'];

const conventionPath = (name: string) => `/api/v1/conventions/${encodeURIComponent(name)}`;

function useConvention(name: string): [ConventionBody | null, string, () => Promise<void>] {
  const [body, setBody] = useState<ConventionBody | null>(null);
  const [error, setError] = useState('');
  const load = () =>
    get<ConventionBody>(conventionPath(name)).then(
      (b) => { setBody(b); setError(''); },
      (e) => setError(describeError(e)),
    );
  // Polled as the public page is: the other roles (and the administrator) write meanwhile.
  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), 5000);
    return () => window.clearInterval(timer);
  }, [name]);
  return [body, error, load];
}

// A POST of one ledger event under a fresh submission id.
async function postEvent(session: Session, convention: string, what: string, body: Record<string, unknown>): Promise<Receipt | undefined> {
  const path = what ? `${conventionPath(convention)}/${what}` : conventionPath(convention);
  const r = await call<{ receipt?: Receipt }>('POST', path, { token: session.token, body: { submission: newSubmissionId(), ...body } });
  return r.body?.receipt;
}

// The procedure a stage runs under: voting's, else filing's, else the one standing.
function governing(c: ConventionBody): Procedure | undefined {
  const seq = c.voting?.procedure ?? c.filing?.procedure;
  if (seq !== undefined) return c.procedures.find((p) => p.seq === seq);
  return c.procedures[c.procedures.length - 1];
}

// The names a pool's ballot or tally may name: its slates under a list formula, else its filers
// standing (not struck; of the pool's preference, or everyone in a district pool).
function optionsOf(c: ConventionBody, p: Procedure, pool: PoolSpec): string[] {
  if (LIST_FORMULAS.has(p.formula)) return c.slates.filter((s) => s.pool === pool.name).map((s) => s.slate);
  return c.filers.filter((f) => f.review !== 'struck' && (!pool.preference || f.preference === pool.preference)).map((f) => f.name);
}

// The convention as the server has it, compactly: stages, filers and their reviews, each pool's
// status and votes. `prefix` keeps the test ids of several desks apart.
function Summary(props: { c: ConventionBody; prefix: string; filers?: Filer[] }) {
  const { c, prefix } = props;
  const filers = props.filers ?? c.filers;
  return (
    <div data-testid={`${prefix}-summary`}>
      <dl class="facts-list">
        <div><dt>District</dt><dd data-testid={`${prefix}-district`}>{c.district}</dd></div>
        <div><dt>Approved filers needed</dt><dd data-testid={`${prefix}-min-approved`}>{c.min_approved_per_slot} per seat</dd></div>
        <div><dt>Filing</dt><dd data-testid={`${prefix}-stage-filing`}>{c.filing ? `opened ${c.filing.time}` : 'not open'}</dd></div>
        <div><dt>Voting</dt><dd data-testid={`${prefix}-stage-voting`}>{c.voting ? `opened ${c.voting.time}` : 'not open'}</dd></div>
        <div><dt>Closed</dt><dd data-testid={`${prefix}-closed`}>{c.closed ? `voting closed ${c.closed.time}` : 'not closed'}</dd></div>
      </dl>
      {filers.length ? (
        <div class="table-wrap">
          <table data-testid={`${prefix}-filers`}>
            <caption class="sr-only">Filers and their reviews</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Preference</th><th scope="col">Gender</th><th scope="col">Review</th></tr></thead>
            <tbody>
              {filers.map((f) => (
                <tr key={f.name}>
                  <th scope="row">{f.name}</th>
                  <td data-testid={`${prefix}-filer-${f.name}-preference`}>{f.preference}</td>
                  <td data-testid={`${prefix}-filer-${f.name}-gender`}>{f.gender}</td>
                  <td>
                    <span data-testid={`${prefix}-filer-${f.name}-review`}>{f.review}</span>
                    {f.review_reason ? <div class="muted" data-testid={`${prefix}-filer-${f.name}-reason`}>{f.review_reason}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : props.filers ? null : <p class="muted">No filers.</p>}
      {c.results.map((r) => (
        <div key={r.pool} data-testid={`${prefix}-pool-${r.pool}`}>
          <h4>
            Pool {r.pool} <span data-testid={`${prefix}-pool-${r.pool}-status`}><StatusBadge status={r.status} /></span>
          </h4>
          {r.message ? <p data-testid={`${prefix}-pool-${r.pool}-message`}>{r.message}</p> : null}
          {r.source ? (
            <p class="muted" data-testid={`${prefix}-pool-${r.pool}-source`}>
              {r.source.tally !== undefined ? `the officers' tally (event ${r.source.tally})` : `${r.source.ballots ?? 0} ballots`}
            </p>
          ) : null}
          {Object.keys(r.votes ?? {}).length ? (
            <ul>
              {Object.entries(r.votes ?? {}).map(([o, v]) => (
                <li key={o}>
                  {o}: <span data-testid={`${prefix}-pool-${r.pool}-votes-${o}`}>{v}</span> votes,{' '}
                  <span data-testid={`${prefix}-pool-${r.pool}-won-${o}`}>{r.won?.[o] ?? 0}</span> seats
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ))}
      <p><a href={`#/conventions/${encodeURIComponent(c.convention)}`}>The convention's public page</a></p>
    </div>
  );
}

// ---- Campaign: its own filers, approve or strike ----

function ReviewRow(props: { session: Session; c: ConventionBody; f: Filer; prefix: string; onDone: () => Promise<void> }) {
  const { f, prefix } = props;
  const [reason, setReason] = useState('');
  const [msg, setMsg] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `${prefix}-filer-${f.name}`;
  const send = async (decision: 'approved' | 'struck') => {
    if (decision === 'struck' && !reason.trim()) {
      setMsg({ text: `Give the reason ${f.name} is struck: the campaign's reason is published with the review.`, field: 'reason', code: 'reason-required' });
      return;
    }
    setBusy(true);
    setMsg(null);
    try {
      await postEvent(props.session, props.c.convention, 'reviews', decision === 'struck' ? { filer: f.name, decision, reason: reason.trim() } : { filer: f.name, decision });
      setReason('');
      await props.onDone();
    } catch (e) {
      setMsg(refusalOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li data-testid={id}>
      <strong>{f.name}</strong> <span class="muted">({f.gender})</span>{' '}
      <span data-testid={`${id}-review`}>{f.review}</span>
      {f.review_reason ? <> — <q data-testid={`${id}-reason`}>{f.review_reason}</q></> : null}
      {f.review === 'not-reviewed' ? (
        <div class="review-form">
          <button type="button" disabled={busy} onClick={() => void send('approved')}>Approve {f.name}</button>
          <label for={`${id}-why`}>Reason to strike {f.name}</label>
          <input id={`${id}-why`} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          <button type="button" class="danger" disabled={busy} onClick={() => void send('struck')}>Strike {f.name}</button>
        </div>
      ) : null}
      <RefusalText msg={msg} testid={`${id}-refusal`} />
    </li>
  );
}

function CampaignConvention(props: { session: Session; name: string }) {
  const [c, error, load] = useConvention(props.name);
  const prefix = `camp-${props.name}`;
  if (!c) return error ? <Alert kind="error">{error}</Alert> : <p class="muted">Loading {props.name}…</p>;
  const campaign = props.session.subject;
  const mine = c.filers.filter((f) => f.preference === campaign);
  const proc = governing(c);
  const pool = proc?.pools.find((p) => p.preference === campaign);
  const approved = mine.filter((f) => f.review === 'approved').length;
  return (
    <article class="card" data-testid={prefix} aria-labelledby={`${prefix}-h`}>
      <h3 id={`${prefix}-h`}>Convention {c.convention} <span class="muted">({c.district})</span></h3>
      <p>
        Approved filers needed before voting opens: <span data-testid={`${prefix}-min-approved`}>{c.min_approved_per_slot} per seat</span>
        {pool ? <>: pool {pool.name} has {pool.seats} {pool.seats === 1 ? 'seat' : 'seats'}, so <span data-testid={`${prefix}-needed`}>{pool.seats * c.min_approved_per_slot}</span></> : null};
        you have approved <span data-testid={`${prefix}-approved`}>{approved}</span>.
      </p>
      {c.voting ? <p class="muted">Voting has opened: the ballot is fixed.</p> : null}
      {mine.length === 0 ? <p class="muted">Nobody has filed pledged to {campaign}.</p> : (
        <ul class="precinct-list">
          {mine.map((f) => <ReviewRow key={f.name} session={props.session} c={c} f={f} prefix={prefix} onDone={load} />)}
        </ul>
      )}
    </article>
  );
}

export function CampaignConventions(props: { session: Session }) {
  const [list, setList] = useState<string[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    get<{ conventions: { convention: string }[] }>('/api/v1/conventions').then(
      (b) => setList(b.conventions.map((c) => c.convention)),
      (e) => setError(describeError(e)),
    );
  }, []);
  return (
    <section class="card" aria-labelledby="camp-conv-h" data-testid="camp-conventions">
      <h2 id="camp-conv-h">Your filers in the district conventions</h2>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {list && list.length === 0 ? <p class="muted">No convention yet.</p> : null}
      {(list ?? []).map((n) => <CampaignConvention key={n} session={props.session} name={n} />)}
    </section>
  );
}

// ---- The convention's officer ----

function FilingForm(props: { session: Session; c: ConventionBody; candidates: string[]; onDone: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [preference, setPreference] = useState('uncommitted');
  const [gender, setGender] = useState('woman');
  const [district, setDistrict] = useState(props.c.district);
  const [pledge, setPledge] = useState('');
  const [msg, setMsg] = useState<Refusal | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    setDone('');
    try {
      const r = await postEvent(props.session, props.c.convention, 'filings', { name: name.trim(), preference, gender, district: district.trim(), pledge });
      setDone(`${name.trim()} filed${r ? ` (event ${r.seq})` : ''}.`);
      setName('');
      setPledge('');
      await props.onDone();
    } catch (err) {
      setMsg(refusalOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="file-h" data-testid="filing-form">
      <h2 id="file-h">File a delegate candidate</h2>
      <label for="file-name">Name</label>
      <input id="file-name" value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      <label for="file-preference">Preference</label>
      <select id="file-preference" value={preference} onChange={(e) => setPreference((e.target as HTMLSelectElement).value)}>
        {[...props.candidates, 'uncommitted'].map((p) => <option key={p} value={p}>{p}</option>)}
      </select>
      <label for="file-gender">Gender</label>
      <select id="file-gender" value={gender} onChange={(e) => setGender((e.target as HTMLSelectElement).value)}>
        {GENDERS.map((g) => <option key={g} value={g}>{g}</option>)}
      </select>
      <label for="file-district">District</label>
      <input id="file-district" value={district} required onInput={(e) => setDistrict((e.target as HTMLInputElement).value)} />
      <label for="file-pledge">Pledge signed</label>
      <textarea id="file-pledge" value={pledge} rows={2} onInput={(e) => setPledge((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" disabled={busy}>{busy ? 'Filing…' : 'File'}</button>
      <RefusalText msg={msg} testid="filing-refusal" />
      {done ? <Alert kind="ok"><span data-testid="filing-done">{done}</span></Alert> : null}
    </form>
  );
}

function StageForm(props: { session: Session; c: ConventionBody; onDone: () => Promise<void> }) {
  const { c } = props;
  const [stage, setStage] = useState(c.filing ? 'voting' : 'filing');
  const [msg, setMsg] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  const standing = c.procedures[c.procedures.length - 1];
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    try {
      await postEvent(props.session, c.convention, 'stages', { stage });
      await props.onDone();
    } catch (err) {
      setMsg(refusalOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="stage-h" data-testid="stage-form">
      <h2 id="stage-h">Open a stage</h2>
      <p class="muted">
        {standing
          ? <>Procedure {standing.seq} stands; its {c.notice_days} days' notice ends <span data-testid="stage-notice-end">{noticeEnds(standing.time, c.notice_days)}</span>.</>
          : 'No procedure is published yet.'}
      </p>
      <label for="stage-which">Stage</label>
      <select id="stage-which" value={stage} onChange={(e) => setStage((e.target as HTMLSelectElement).value)}>
        <option value="filing">filing</option>
        <option value="voting">voting</option>
      </select>
      <button type="submit" disabled={busy}>Open {stage}</button>
      <RefusalText msg={msg} testid="stage-refusal" />
      {msg?.code === 'notice-too-short' && standing ? (
        <Alert kind="warn">
          The notice ends <strong data-testid="stage-refusal-notice-end">{noticeEnds(standing.time, c.notice_days)}</strong>; an
          administrator may waive it with a reason.
        </Alert>
      ) : null}
    </form>
  );
}

function TallyForm(props: { session: Session; c: ConventionBody; onDone: () => Promise<void> }) {
  const { c } = props;
  const proc = governing(c);
  const pools = proc?.pools ?? [];
  const [poolName, setPoolName] = useState(pools[0]?.name ?? '');
  const [values, setValues] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<Refusal | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const pool = pools.find((p) => p.name === poolName) ?? pools[0];
  if (!proc || !pool) return null;
  const options = optionsOf(c, proc, pool);
  const stv = proc.formula === 'stv';
  // Under STV the tally is the paper ballots grouped by ranking, one line each: "12: Mo, Lu".
  const stvBallots = (): { ranking: string[]; count: number }[] | Refusal => {
    const out: { ranking: string[]; count: number }[] = [];
    for (const [i, line] of (values[`${pool.name}/ballots`] ?? '').split('\n').entries()) {
      if (!line.trim()) continue;
      const m = /^\s*(\d+)\s*:\s*(.+)$/.exec(line);
      if (!m) return { text: `line ${i + 1} is "count: first, second, …", not "${line.trim()}".`, field: 'ballots', code: 'malformed-tally' };
      out.push({ count: Number(m[1]), ranking: m[2]!.split(',').map((n) => n.trim()).filter(Boolean) });
    }
    return out;
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (stv) {
      const ballots = stvBallots();
      if (!Array.isArray(ballots)) { setMsg(ballots); return; }
      return send({ pool: pool.name, ballots });
    }
    const tallies: Record<string, number> = {};
    for (const o of options) {
      const v = (values[`${pool.name}/${o}`] ?? '').trim();
      if (v === '') continue;
      if (!/^\d+$/.test(v)) {
        setMsg({ text: `${o}'s votes are a whole number, not "${v}".`, field: `tallies.${o}`, code: 'malformed-tally' });
        return;
      }
      tallies[o] = Number(v);
    }
    return send({ pool: pool.name, tallies });
  };
  const send = async (body: Record<string, unknown>) => {
    setBusy(true);
    setMsg(null);
    setDone('');
    try {
      const r = await postEvent(props.session, c.convention, 'tallies', body);
      setDone(`Pool ${pool.name}'s tally entered${r ? ` (event ${r.seq})` : ''}.`);
      await props.onDone();
    } catch (err) {
      setMsg(refusalOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="tally-h" data-testid="tally-form">
      <h2 id="tally-h">Enter a pool's tally</h2>
      <label for="tally-pool">Pool</label>
      <select id="tally-pool" value={pool.name} onChange={(e) => setPoolName((e.target as HTMLSelectElement).value)}>
        {pools.map((p) => <option key={p.name} value={p.name}>{p.name}</option>)}
      </select>
      {stv ? (
        <>
          <label for="tally-ballots">Ballots in pool {pool.name}, one line per ranking: count, then the names in order</label>
          <textarea id="tally-ballots" rows={4} placeholder={`12: ${options.slice(0, 2).join(', ')}`} value={values[`${pool.name}/ballots`] ?? ''}
            onInput={(e) => setValues({ ...values, [`${pool.name}/ballots`]: (e.target as HTMLTextAreaElement).value })} />
          <p class="muted">Candidates: {options.join(', ') || 'none'}.</p>
        </>
      ) : (
        <fieldset class="figures">
          <legend>Votes in pool {pool.name} ({proc.formula})</legend>
          {options.map((o) => (
            <div class="figure" key={o}>
              <label for={`tally-${o}`}>{o}</label>
              <input id={`tally-${o}`} type="number" inputMode="numeric" min={0} step={1} value={values[`${pool.name}/${o}`] ?? ''}
                onInput={(e) => setValues({ ...values, [`${pool.name}/${o}`]: (e.target as HTMLInputElement).value })} />
            </div>
          ))}
        </fieldset>
      )}
      <button type="submit" disabled={busy}>Enter the tally</button>
      <RefusalText msg={msg} testid="tally-refusal" />
      {done ? <Alert kind="ok"><span data-testid="tally-done">{done}</span></Alert> : null}
    </form>
  );
}

// A slate for a pool of a slate formula: its name and its nominees, filers, in list order.
function SlateForm(props: { session: Session; c: ConventionBody; onDone: () => Promise<void> }) {
  const { c } = props;
  const proc = c.procedures[c.procedures.length - 1];
  const pools = proc?.pools ?? [];
  const [poolName, setPoolName] = useState(pools[0]?.name ?? '');
  const [slate, setSlate] = useState('');
  const [nominees, setNominees] = useState('');
  const [msg, setMsg] = useState<Refusal | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  if (!proc || !LIST_FORMULAS.has(proc.formula) || c.voting) return null;
  const pool = pools.find((p) => p.name === poolName) ?? pools[0]!;
  const standing = c.filers.filter((f) => f.review !== 'struck' && (!pool.preference || f.preference === pool.preference)).map((f) => f.name);
  const submit = async (e: Event) => {
    e.preventDefault();
    const names = nominees.split(',').map((n) => n.trim()).filter(Boolean);
    if (!names.length) {
      setMsg({ text: 'Name the slate\'s nominees, in list order, separated by commas.', field: 'nominees', code: 'malformed-event' });
      return;
    }
    setBusy(true);
    setMsg(null);
    setDone('');
    try {
      const r = await postEvent(props.session, c.convention, 'slates', { pool: pool.name, slate: slate.trim(), nominees: names });
      setDone(`Slate ${slate.trim()} filed in pool ${pool.name}${r ? ` (event ${r.seq})` : ''}.`);
      setSlate('');
      setNominees('');
      await props.onDone();
    } catch (err) {
      setMsg(refusalOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="slate-h" data-testid="slate-form">
      <h2 id="slate-h">File a slate</h2>
      <p class="muted">{proc.title}: the vote is for slates, each a list of filers in order.</p>
      {pools.length > 1 ? (
        <>
          <label for="slate-pool">Slate's pool</label>
          <select id="slate-pool" value={pool.name} onChange={(e) => setPoolName((e.target as HTMLSelectElement).value)}>
            {pools.map((p) => <option key={p.name} value={p.name}>{p.name}</option>)}
          </select>
        </>
      ) : null}
      <label for="slate-name">Slate name</label>
      <input id="slate-name" value={slate} required onInput={(e) => setSlate((e.target as HTMLInputElement).value)} />
      <label for="slate-nominees">Nominees, in list order, separated by commas</label>
      <input id="slate-nominees" value={nominees} onInput={(e) => setNominees((e.target as HTMLInputElement).value)} />
      <p class="muted" data-testid="slate-standing">Filers standing in pool {pool.name}: {standing.join(', ') || 'none'}.</p>
      <button type="submit" disabled={busy}>File the slate</button>
      <RefusalText msg={msg} testid="slate-refusal" />
      {done ? <Alert kind="ok"><span data-testid="slate-done">{done}</span></Alert> : null}
    </form>
  );
}

// The lots a tied pool needs: its tied options shown, the officer types the order they were drawn.
function LotsForm(props: { session: Session; c: ConventionBody; pool: string; tied: string[]; message?: string; onDone: () => Promise<void> }) {
  const { c, pool, tied } = props;
  const [order, setOrder] = useState('');
  const [msg, setMsg] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `lots-${pool}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    const names = order.split(',').map((n) => n.trim()).filter(Boolean);
    const missing = tied.filter((t) => !names.includes(t));
    if (missing.length) {
      setMsg({ text: `The order drawn names every tied option; ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`, field: 'order', code: 'malformed-event' });
      return;
    }
    setBusy(true);
    setMsg(null);
    try {
      await postEvent(props.session, c.convention, 'lots', { pool, order: names });
      await props.onDone();
    } catch (err) {
      setMsg(refusalOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby={`${id}-h`} data-testid={id}>
      <h2 id={`${id}-h`}>Pool {pool} needs lots</h2>
      {props.message ? <p class="muted">{props.message}</p> : null}
      <p>Tied: <span data-testid={`${id}-tied`}>{tied.join(', ')}</span></p>
      <label for={`${id}-order`}>Order drawn in pool {pool}, first drawn first, separated by commas</label>
      <input id={`${id}-order`} value={order} onInput={(e) => setOrder((e.target as HTMLInputElement).value)} />
      <button type="submit" disabled={busy}>Record the lots for pool {pool}</button>
      <RefusalText msg={msg} testid={`${id}-refusal`} />
    </form>
  );
}

// Closing voting is final: a confirmation step first.
function CloseForm(props: { session: Session; c: ConventionBody; onDone: () => Promise<void> }) {
  const { c } = props;
  const [confirming, setConfirming] = useState(false);
  const [msg, setMsg] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  if (c.closed) return null;
  const close = async () => {
    setBusy(true);
    setMsg(null);
    try {
      await postEvent(props.session, c.convention, 'close', {});
      setConfirming(false);
      await props.onDone();
    } catch (err) {
      setMsg(refusalOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="close-h" data-testid="close-form">
      <h2 id="close-h">Close voting</h2>
      {!confirming ? (
        <button type="button" class="danger" disabled={busy || !c.voting} onClick={() => setConfirming(true)}>Close voting…</button>
      ) : (
        <div role="group" aria-label="Confirm closing voting" data-testid="close-confirm">
          <p>Close voting in {c.convention}? No ballot is taken after, and every pool's result becomes final.</p>
          <button type="button" class="danger" disabled={busy} onClick={() => void close()}>Yes, close voting</button>{' '}
          <button type="button" disabled={busy} onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      )}
      {!c.voting ? <p class="muted">Voting has not opened.</p> : null}
      <RefusalText msg={msg} testid="close-refusal" />
    </section>
  );
}

function OfficerDesk(props: { session: Session; onLogout: () => void }) {
  const name = props.session.subject;
  const [c, error, load] = useConvention(name);
  const [candidates, setCandidates] = useState<string[]>([]);
  useEffect(() => void get<Election>('/api/v1/election').then((e) => setCandidates(e.candidates), () => undefined), []);
  return (
    <div class="officer">
      <LogoutBar session={props.session} onLogout={props.onLogout}>
        <button type="button" onClick={() => void load()}>Refresh</button>
      </LogoutBar>
      <h1>Convention {name}: officer</h1>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {c ? (
        <>
          <section class="card" aria-labelledby="officer-now-h">
            <h2 id="officer-now-h">Where it stands</h2>
            <Summary c={c} prefix="officer" />
          </section>
          <StageForm session={props.session} c={c} onDone={load} />
          <FilingForm session={props.session} c={c} candidates={candidates} onDone={load} />
          <SlateForm session={props.session} c={c} onDone={load} />
          <TallyForm key={`${c.voting?.seq ?? 0}`} session={props.session} c={c} onDone={load} />
          {c.results.filter((r) => r.status === 'needs-lots' && r.tied?.length).map((r) => (
            <LotsForm key={r.pool} session={props.session} c={c} pool={r.pool} tied={r.tied!} message={r.message} onDone={load} />
          ))}
          <CloseForm session={props.session} c={c} onDone={load} />
        </>
      ) : null}
    </div>
  );
}

export function OfficerPage() {
  const [session, setSession] = useSession('officer');
  if (!session) return <Login role="officer" title="Convention officer: log in" onSession={setSession} />;
  return <OfficerDesk session={session} onLogout={() => setSession(null)} />;
}

// ---- The voter ----

function BallotForm(props: { session: Session; c: ConventionBody; proc: Procedure; pool: PoolSpec; onDone: () => Promise<void> }) {
  const { c, proc, pool } = props;
  const options = optionsOf(c, proc, pool);
  const list = LIST_FORMULAS.has(proc.formula);
  const [slate, setSlate] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [checked, setChecked] = useState<Record<string, boolean>>({});
  const [msg, setMsg] = useState<Refusal | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const allowed = proc.formula === 'limited' ? proc.votes_per_voter ?? pool.seats : pool.seats;
  const ballot = (): Record<string, unknown> | Refusal => {
    if (list) return slate ? { slate } : { text: 'Choose a slate.', field: 'slate', code: 'malformed-ballot' };
    if (proc.formula === 'stv') {
      const ranked: [number, string][] = [];
      for (const o of options) {
        const v = (values[o] ?? '').trim();
        if (v === '') continue;
        if (!/^\d+$/.test(v) || Number(v) < 1) return { text: `${o}'s rank is a whole number from 1, not "${v}".`, field: 'ranking', code: 'malformed-ballot' };
        ranked.push([Number(v), o]);
      }
      ranked.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranked.length; ++i) {
        if (ranked[i]![0] === ranked[i - 1]![0]) return { text: `${ranked[i - 1]![1]} and ${ranked[i]![1]} have the same rank.`, field: 'ranking', code: 'bad-ballot' };
      }
      return ranked.length ? { ranking: ranked.map((r) => r[1]) } : { text: 'Rank at least one candidate.', field: 'ranking', code: 'malformed-ballot' };
    }
    const marks: Record<string, number> = {};
    for (const o of options) {
      if (proc.formula === 'cumulative') {
        const v = (values[o] ?? '').trim();
        if (v === '') continue;
        if (!/^\d+$/.test(v)) return { text: `${o}'s votes are a whole number, not "${v}".`, field: `marks.${o}`, code: 'malformed-ballot' };
        if (Number(v) > 0) marks[o] = Number(v);
      } else if (checked[o]) {
        marks[o] = 1;
      }
    }
    return Object.keys(marks).length ? { marks } : { text: 'Mark at least one candidate.', field: 'marks', code: 'malformed-ballot' };
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const b = ballot();
    if ('code' in b && 'text' in b) { setMsg(b as Refusal); return; }
    setBusy(true);
    setMsg(null);
    try {
      const r = await postEvent(props.session, c.convention, 'ballots', { pool: pool.name, ...b });
      setDone(`Your ballot in pool ${pool.name} is recorded${r ? ` (event ${r.seq})` : ''}. The ledger takes one ballot per voter and pool.`);
      await props.onDone();
    } catch (err) {
      setMsg(refusalOf(err));
    } finally {
      setBusy(false);
    }
  };
  const hint = list ? 'Choose one slate.'
    : proc.formula === 'stv' ? 'Rank the candidates you support: 1 for your first choice, 2 for the next, and so on.'
    : proc.formula === 'cumulative' ? `Give your ${pool.seats} votes in all, as many to one candidate as you like.`
    : `Mark at most ${allowed}.`;
  return (
    <form class="card" onSubmit={submit} aria-labelledby="ballot-h" data-testid="ballot-form">
      <h2 id="ballot-h">Your ballot in pool {pool.name}</h2>
      <p class="muted" data-testid="ballot-formula">{proc.title} ({proc.formula}), {pool.seats} {pool.seats === 1 ? 'seat' : 'seats'}. {hint}</p>
      <fieldset class={list || proc.formula === 'block' || proc.formula === 'limited' ? undefined : 'figures'} disabled={busy}>
        <legend>{list ? 'Slates' : 'Candidates'}</legend>
        {options.length === 0 ? <p class="muted">Nobody is on this ballot.</p> : null}
        {options.map((o) => {
          const id = `ballot-${o}`;
          if (list) {
            return (
              <div key={o}>
                <label class="check">
                  <input id={id} type="radio" name="slate" checked={slate === o} onChange={() => setSlate(o)} />
                  {o}: {c.slates.find((s) => s.pool === pool.name && s.slate === o)?.nominees.join(', ')}
                </label>
              </div>
            );
          }
          if (proc.formula === 'stv' || proc.formula === 'cumulative') {
            return (
              <div class="figure" key={o}>
                <label for={id}>{proc.formula === 'stv' ? `${o}'s rank` : `Votes for ${o}`}</label>
                <input id={id} type="number" inputMode="numeric" min={proc.formula === 'stv' ? 1 : 0} step={1} value={values[o] ?? ''}
                  onInput={(e) => setValues({ ...values, [o]: (e.target as HTMLInputElement).value })} />
              </div>
            );
          }
          return (
            <div key={o}>
              <label class="check">
                <input id={id} type="checkbox" checked={Boolean(checked[o])} onChange={(e) => setChecked({ ...checked, [o]: (e.target as HTMLInputElement).checked })} />
                {o}
              </label>
            </div>
          );
        })}
      </fieldset>
      <button type="submit" disabled={busy}>{busy ? 'Casting…' : 'Cast the ballot'}</button>
      <RefusalText msg={msg} testid="ballot-refusal" />
      {done ? <Alert kind="ok"><span data-testid="ballot-done">{done}</span></Alert> : null}
    </form>
  );
}

interface MyBallot {
  convention: string; credential: string; pool: string | null; voted: boolean; voting: string;
  pools: { pool: string; voted: boolean; ballot?: { seq: number; time: string; hash: string } }[];
}

// "Have I voted": this code's ballots as the ledger holds them, each with its event to find in the
// public ledger.
function MyBallotCard(props: { mine: MyBallot | null; error: string }) {
  const { mine } = props;
  return (
    <section class="card" aria-labelledby="my-ballot-h" data-testid="my-ballot">
      <h2 id="my-ballot-h">Have I voted?</h2>
      {props.error ? <Alert kind="error">{props.error}</Alert> : null}
      {mine ? (
        <ul>
          {mine.pools.map((p) => (
            <li key={p.pool} data-testid={`my-ballot-${p.pool}`}>
              {p.ballot ? (
                <>
                  <strong data-testid={`my-ballot-${p.pool}-status`}>You voted</strong> in pool {p.pool}: ledger event{' '}
                  <span data-testid={`my-ballot-${p.pool}-seq`}>{p.ballot.seq}</span>, at <span data-testid={`my-ballot-${p.pool}-time`}>{p.ballot.time}</span>,
                  hash <code class="hash" data-testid={`my-ballot-${p.pool}-hash`}>{p.ballot.hash}</code>.
                </>
              ) : (
                <><strong data-testid={`my-ballot-${p.pool}-status`}>Not voted</strong> in pool {p.pool}.</>
              )}
            </li>
          ))}
          {mine.pools.length === 0 ? <li class="muted">No pool yet: the procedure is not published.</li> : null}
        </ul>
      ) : <p class="muted">Loading…</p>}
      <p class="muted">Find your ballot by its event number in the <a href="/api/v1/ledger">public ledger</a>; its hash proves it is the one you cast.</p>
    </section>
  );
}

function VoterDesk(props: { session: Session; onLogout: () => void }) {
  const [name, ownPool] = props.session.subject.split('/', 2) as [string, string | undefined];
  const [c, error, loadConvention] = useConvention(name);
  const [mine, setMine] = useState<MyBallot | null>(null);
  const [mineError, setMineError] = useState('');
  const loadMine = () =>
    get<MyBallot>(`${conventionPath(name)}/my-ballot`, props.session.token).then(
      (b) => { setMine(b); setMineError(''); },
      (e) => setMineError(describeError(e)),
    );
  useEffect(() => void loadMine(), [name]);
  const load = async () => { await Promise.all([loadConvention(), loadMine()]); };
  const [chosen, setChosen] = useState(ownPool ?? '');
  const proc = c?.voting ? c.procedures.find((p) => p.seq === c.voting!.procedure) : undefined;
  const pools = proc ? (ownPool ? proc.pools.filter((p) => p.name === ownPool) : proc.pools) : [];
  const pool = pools.find((p) => p.name === chosen) ?? (pools.length === 1 ? pools[0] : undefined);
  return (
    <div class="voter">
      <LogoutBar session={props.session} onLogout={props.onLogout}>
        <button type="button" onClick={() => void load()}>Refresh</button>
      </LogoutBar>
      <h1>Convention {name}: your vote</h1>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {c ? (
        <>
          {!c.voting ? <Alert kind="info">Voting has not opened.</Alert> : null}
          {c.closed ? <Alert kind="info">Voting closed {c.closed.time}.</Alert> : null}
          {pools.length > 1 ? (
            <div class="card">
              <label for="voter-pool">Your pool</label>
              <select id="voter-pool" value={pool?.name ?? ''} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
                <option value="">Choose…</option>
                {pools.map((p) => <option key={p.name} value={p.name}>{p.name}</option>)}
              </select>
            </div>
          ) : null}
          {proc && pool ? <BallotForm key={pool.name} session={props.session} c={c} proc={proc} pool={pool} onDone={load} /> : null}
          <MyBallotCard mine={mine} error={mineError} />
          <section class="card" aria-labelledby="voter-now-h">
            <h2 id="voter-now-h">The count so far</h2>
            <Summary c={c} prefix="voter" filers={[]} />
          </section>
        </>
      ) : null}
    </div>
  );
}

export function VoterPage() {
  const [session, setSession] = useSession('voter');
  if (!session) return <Login role="voter" title="Convention voter: log in" onSession={setSession} />;
  return <VoterDesk session={session} onLogout={() => setSession(null)} />;
}
