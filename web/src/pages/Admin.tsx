// Administrators: what needs action first (precincts with error findings or disputes, with the
// campaigns' reasons; the hotline's mismatches; precincts not reported; releases, with "publish
// now" and the publication policy), then readiness (which chairs have logged in and sent a
// practice report), summarised and filterable, and precincts by status. After the night, the
// review queue: recanvass and recount requests awaiting a decision (with the cost the party
// states), accepted precincts awaiting the campaign's answer to the cost, their schedule and their
// entry (the worksheet or the cards, with the campaigns' observers), those closed without one, and
// what each entry found; the risk-limiting audit's start, seed and
// tallies (src/rla.tsx). The anomaly gate's holds and overrides (src/holds.tsx) follow the ledger.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, describeError, get, newSubmissionId, type Election, type Precinct, type PrecinctSummary, type Session } from '../api';
import {
  CostsText, DecisionText, EntryView, EvidenceLinks, ScheduleText, figuresText, fieldLabel, useLiveJson,
  type AuditRecord, type ReviewPrecinct, type ReviewRequest,
} from '../reviews';
import { HoldsDesk, useHolds } from '../holds';
import { parseReleases, type ReleaseRef } from '../provenance';
import { RlaDesk } from '../rla';
import { loadAttestations, type AttestationRow } from '../staff';
import { Alert, FigureInputs, Login, LogoutBar, StatusBadge, toFigures, useSession } from '../ui';

interface Readiness {
  chairs_logged_in: number;
  chairs_practised: number;
  chairs_ready: number;
  precincts: {
    precinct: number;
    county: string;
    name: string;
    chair_logged_in: boolean;
    practice_reports: number;
    status: string;
  }[];
}

interface QueueItem {
  precinct: number;
  county: string;
  name: string;
  stage: string;
  entries: { seq: number; operator: string; operator_name?: string }[];
}

interface Policy {
  mode: string;
  seconds: number;
  seq: number;
  can_publish: boolean;
}

const PAGE = 25; // rows of a long list shown at once

export function AdminPage() {
  const [session, setSession] = useSession('admin');
  if (!session) return <Login role="admin" title="Administrator: log in" onSession={setSession} />;
  return <AdminDesk session={session} onLogout={() => setSession(null)} />;
}

function policyText(p: Policy): string {
  if (p.mode === 'interval') return `every ${p.seconds} seconds when the ledger has moved`;
  if (p.mode === 'each-report') return 'after each report (at most four releases a second)';
  return 'manual: only when an administrator publishes';
}

function matches(filter: string, ...texts: (string | number)[]): boolean {
  const f = filter.trim().toLowerCase();
  return !f || texts.some((t) => String(t).toLowerCase() === f) || texts.join(' ').toLowerCase().includes(f);
}

function AdminDesk(props: { session: Session; onLogout: () => void }) {
  const token = props.session.token;
  const [ready, setReady] = useState<Readiness | null>(null);
  const [precincts, setPrecincts] = useState<PrecinctSummary[]>([]);
  const [releases, setReleases] = useState<ReleaseRef[] | 'none' | null>(null);
  const [queue, setQueue] = useState<QueueItem[]>([]);
  const [disputes, setDisputes] = useState<AttestationRow[]>([]);
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [error, setError] = useState('');
  const [show, setShow] = useState<'missing' | 'unpractised' | 'ready' | 'all'>('missing');
  const [readyFilter, setReadyFilter] = useState('');
  const [readyShown, setReadyShown] = useState(PAGE);
  const [missingFilter, setMissingFilter] = useState('');
  const [missingShown, setMissingShown] = useState(PAGE);
  const holds = useHolds(token);
  const load = () => {
    get<Readiness>('/api/v1/readiness', token).then(setReady, (e) => {
      if (e instanceof ApiError && e.status === 401) props.onLogout();
      setError(describeError(e));
    });
    get<{ precincts: PrecinctSummary[] }>('/api/v1/precincts').then((b) => setPrecincts(b.precincts), () => undefined);
    get<{ queue: QueueItem[] }>('/api/v1/hotline/reconciliation', token).then((b) => setQueue(b.queue), () => undefined);
    loadAttestations().then((all) => setDisputes(all.filter((a) => a.standing && a.verdict === 'dispute')), () => undefined);
    get<Policy>('/api/v1/releases/policy').then(setPolicy, () => setPolicy(null));
    get<unknown>('/api/v1/releases').then(
      (b) => setReleases(parseReleases(b)),
      (e) => setReleases(e instanceof ApiError && e.status === 404 ? 'none' : null),
    );
  };
  useEffect(load, []);

  const byStatus = new Map<string, number>();
  for (const p of precincts) byStatus.set(p.status, (byStatus.get(p.status) ?? 0) + 1);
  const disputesOf = new Map<number, AttestationRow[]>();
  for (const d of disputes) disputesOf.set(d.precinct, [...(disputesOf.get(d.precinct) ?? []), d]);
  const flagged = precincts.filter((p) => p.flagged || p.disputed);
  const errors = precincts.filter((p) => p.flagged).length;
  const disputed = precincts.filter((p) => p.disputed).length;
  const missing = precincts.filter((p) => p.status === 'not-reported');
  const missingRows = missing.filter((p) => matches(missingFilter, p.id, p.county, p.precinct));
  const rows = (ready?.precincts ?? []).filter(
    (r) =>
      (show === 'all' ||
        (show === 'missing' ? !r.chair_logged_in : show === 'unpractised' ? r.practice_reports === 0 : r.chair_logged_in && r.practice_reports > 0)) &&
      matches(readyFilter, r.precinct, r.county, r.name),
  );
  const latest = Array.isArray(releases) && releases.length > 0 ? releases[releases.length - 1] : null;
  const jump = (id: string) => document.getElementById(id)?.scrollIntoView();

  return (
    <div class="admin">
      <LogoutBar session={props.session} onLogout={props.onLogout}>
        <button
          type="button"
          onClick={() => {
            load();
            holds.reload();
          }}
        >
          Refresh
        </button>
      </LogoutBar>
      {error && <Alert kind="error">{error}</Alert>}
      <section class="card" aria-labelledby="action-h" data-testid="needs-action">
        <h2 id="action-h">Needs action</h2>
        <dl class="facts-list">
          <div>
            <dt>Error findings</dt>
            <dd>
              <button type="button" class="link" data-testid="count-findings" onClick={() => jump('flag-h')}>
                {errors}
              </button>
            </dd>
          </div>
          <div>
            <dt>Disputed</dt>
            <dd>
              <button type="button" class="link" data-testid="count-disputes" onClick={() => jump('flag-h')}>
                {disputed}
              </button>
            </dd>
          </div>
          <div>
            <dt>Hotline mismatches</dt>
            <dd>
              <button type="button" class="link" data-testid="count-mismatches" onClick={() => jump('mismatch-h')}>
                {queue.length}
              </button>
            </dd>
          </div>
          <div>
            <dt>Held from the next release</dt>
            <dd>
              <button type="button" class="link" data-testid="count-holds" onClick={() => jump('holds-h')}>
                {holds.body ? holds.body.held.length : '…'}
              </button>
            </dd>
          </div>
          <div>
            <dt>Not reported</dt>
            <dd>
              <button type="button" class="link" data-testid="count-not-reported" onClick={() => jump('missing-h')}>
                {missing.length} of {precincts.length}
              </button>
            </dd>
          </div>
          <div>
            <dt>Latest release</dt>
            <dd>
              <button type="button" class="link" data-testid="count-releases" onClick={() => jump('rel-h')}>
                {latest ? `number ${latest.number}` : releases === 'none' ? 'not published here' : 'none yet'}
              </button>
            </dd>
          </div>
        </dl>
      </section>

      <HoldsDesk token={token} holds={holds} />
      <ReviewQueue token={token} />
      <RlaDesk token={token} />

      <section class="card" aria-labelledby="flag-h">
        <h2 id="flag-h">Findings and disputes ({flagged.length})</h2>
        {flagged.length === 0 ? (
          <p class="muted">No precinct has error findings or a dispute.</p>
        ) : (
          <ul class="precinct-list" data-testid="findings-queue">
            {flagged.map((p) => (
              <li key={p.id} data-precinct={p.id}>
                <a href={`#/precinct/${p.id}`}>
                  {p.county} / {p.precinct}
                </a>{' '}
                <StatusBadge status={p.status} />
                {p.flagged && <span class="tag error">error findings</span>}
                {p.disputed && <span class="tag warn">disputed</span>}
                {(disputesOf.get(p.id) ?? []).length > 0 && (
                  <ul class="dispute-reasons">
                    {(disputesOf.get(p.id) ?? []).map((d) => (
                      <li key={d.seq} data-testid="admin-dispute">
                        <strong>{d.campaign}</strong> disputes revision {d.revision}: {d.reason}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="card" aria-labelledby="mismatch-h">
        <h2 id="mismatch-h">Hotline mismatches ({queue.length})</h2>
        {queue.length === 0 ? (
          <p class="muted">No hotline entries disagree.</p>
        ) : (
          <>
            <ul class="precinct-list" data-testid="admin-mismatches">
              {queue.map((q) => (
                <li key={`${q.precinct}-${q.stage}`} data-precinct={q.precinct}>
                  <a href={`#/precinct/${q.precinct}`}>
                    {q.county} / {q.name}
                  </a>{' '}
                  ({q.stage} alignment): entries by {q.entries.map((e) => e.operator_name ?? e.operator).join(', ')}
                </li>
              ))}
            </ul>
            <p>
              An operator settles each on the <a href="#/operator">hotline page</a>: a further entry that agrees with one of them.
            </p>
          </>
        )}
      </section>

      <section class="card" aria-labelledby="missing-h">
        <h2 id="missing-h">Not reported ({missing.length})</h2>
        <label for="missing-filter">Find a precinct (number, county or name)</label>
        <input
          id="missing-filter"
          value={missingFilter}
          onInput={(e) => {
            setMissingFilter((e.target as HTMLInputElement).value);
            setMissingShown(PAGE);
          }}
        />
        <ul class="precinct-list" data-testid="not-reported">
          {missingRows.slice(0, missingShown).map((p) => (
            <li key={p.id} data-precinct={p.id}>
              {p.id}: <a href={`#/precinct/${p.id}`}>{p.county} / {p.precinct}</a>
            </li>
          ))}
        </ul>
        {missingRows.length > missingShown && (
          <button type="button" onClick={() => setMissingShown(missingShown + PAGE)}>
            Show more ({missingRows.length - missingShown} not shown)
          </button>
        )}
      </section>

      <section class="card" aria-labelledby="rel-h">
        <h2 id="rel-h">Releases</h2>
        <Publication policy={policy} releasesServed={releases !== 'none'} token={token} onChange={load} />
        {releases === null && <p class="muted">Loading…</p>}
        {releases === 'none' && <p class="muted" data-testid="no-releases">This server publishes no releases.</p>}
        {Array.isArray(releases) && releases.length === 0 && <p class="muted">No release published yet.</p>}
        {Array.isArray(releases) && releases.length > 0 && (
          <ul data-testid="release-list">
            {[...releases]
              .reverse()
              .slice(0, 10)
              .map((r) => (
                <li key={r.number}>
                  <a href={r.href}>Release {r.number}</a>
                  {r.seq !== null ? ` · ledger position ${r.seq}` : ''}
                  {r.published ? ` · ${r.published}` : ''}
                </li>
              ))}
          </ul>
        )}
      </section>

      <div class="two-col wide">
        <section class="card" aria-labelledby="ready-h">
          <h2 id="ready-h">Readiness</h2>
          {ready && (
            <>
              <p class="big" data-testid="chairs-logged-in">
                {ready.chairs_logged_in} of {ready.precincts.length} chairs have logged in
              </p>
              <p class="big" data-testid="chairs-practised">
                {ready.chairs_practised} of {ready.precincts.length} chairs have sent a practice report
              </p>
              <p data-testid="chairs-ready">
                {ready.chairs_ready} of {ready.precincts.length} ready (both). Logins are counted by this server; practice
                reports by the ledger.
              </p>
            </>
          )}
          <fieldset class="toggle">
            <legend>Show</legend>
            <label>
              <input type="radio" name="ready" checked={show === 'missing'} onChange={() => { setShow('missing'); setReadyShown(PAGE); }} /> Not logged in yet
            </label>
            <label>
              <input type="radio" name="ready" checked={show === 'unpractised'} onChange={() => { setShow('unpractised'); setReadyShown(PAGE); }} /> No
              practice report yet
            </label>
            <label>
              <input type="radio" name="ready" checked={show === 'ready'} onChange={() => { setShow('ready'); setReadyShown(PAGE); }} /> Ready (both)
            </label>
            <label>
              <input type="radio" name="ready" checked={show === 'all'} onChange={() => { setShow('all'); setReadyShown(PAGE); }} /> Every precinct
            </label>
          </fieldset>
          <label for="ready-filter">Find a precinct (number, county or name)</label>
          <input
            id="ready-filter"
            value={readyFilter}
            onInput={(e) => {
              setReadyFilter((e.target as HTMLInputElement).value);
              setReadyShown(PAGE);
            }}
          />
          <p class="muted" data-testid="readiness-count">
            {rows.length} precinct{rows.length === 1 ? '' : 's'} match
          </p>
          <div class="table-wrap">
            <table data-testid="readiness">
              <thead>
                <tr>
                  <th scope="col">Precinct</th>
                  <th scope="col">Logged in</th>
                  <th scope="col">Practice reports</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, readyShown).map((r) => (
                  <tr key={r.precinct} data-precinct={r.precinct}>
                    <th scope="row">
                      {r.precinct}: {r.county} / {r.name}
                    </th>
                    <td data-col="logged-in">{r.chair_logged_in ? 'yes' : 'no'}</td>
                    <td class="n" data-col="practice">
                      {r.practice_reports}
                    </td>
                    <td>
                      <StatusBadge status={r.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows.length > readyShown && (
            <button type="button" onClick={() => setReadyShown(readyShown + PAGE)}>
              Show more ({rows.length - readyShown} not shown)
            </button>
          )}
        </section>
        <section class="card" aria-labelledby="status-h">
          <h2 id="status-h">Precincts reporting</h2>
          <table>
            <tbody>
              {[...byStatus.entries()].map(([s, n]) => (
                <tr key={s}>
                  <th scope="row">
                    <StatusBadge status={s} />
                  </th>
                  <td class="n">{n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}

// "Publish now" and the publication policy (POST /api/v1/releases, /api/v1/releases/policy).
function Publication(props: { policy: Policy | null; releasesServed: boolean; token: string; onChange: () => void }) {
  const [mode, setMode] = useState<string>('');
  const [seconds, setSeconds] = useState('');
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error' | 'info'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const p = props.policy;
  const chosen = mode || p?.mode || 'manual';
  const shownSeconds = seconds || (p?.mode === 'interval' ? String(p.seconds) : '');
  const publish = async () => {
    setBusy(true);
    try {
      const r = await call<{ published: boolean; number: number; ledger_seq: number }>('POST', '/api/v1/releases', {
        token: props.token,
        body: {},
      });
      setMsg(
        r.body.published
          ? { kind: 'ok', text: `Release ${r.body.number} published (ledger up to event ${r.body.ledger_seq}).` }
          : { kind: 'info', text: `Nothing new since release ${r.body.number}: no release published.` },
      );
      props.onChange();
    } catch (e) {
      setMsg({ kind: 'error', text: describeError(e) });
    } finally {
      setBusy(false);
    }
  };
  const setPolicy = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body: Record<string, unknown> = { submission: newSubmissionId(), mode: chosen };
      if (chosen === 'interval') body['seconds'] = shownSeconds.trim() === '' ? 0 : Number(shownSeconds);
      await call('POST', '/api/v1/releases/policy', { token: props.token, body });
      setMsg({ kind: 'ok', text: 'Publication policy recorded.' });
      setMode('');
      setSeconds('');
      props.onChange();
    } catch (err) {
      setMsg({ kind: 'error', text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="publication">
      {p && (
        <p data-testid="policy" data-mode={p.mode}>
          Publication: <strong>{policyText(p)}</strong>
          {p.seq ? ` (set at ledger event ${p.seq})` : ' (the default)'}.
        </p>
      )}
      {p && !p.can_publish && (
        <p class="muted" data-testid="cannot-publish">
          This server holds no signing key: it cannot publish. Publish from a server that holds it, or with{' '}
          <code>canvass publish</code>.
        </p>
      )}
      <button type="button" class="primary" disabled={busy || !props.releasesServed || (p !== null && !p.can_publish)} onClick={() => void publish()}>
        Publish now
      </button>
      <form onSubmit={setPolicy} aria-labelledby="policy-legend">
        <fieldset class="toggle">
          <legend id="policy-legend">Publish releases</legend>
          <label>
            <input type="radio" name="policy-mode" checked={chosen === 'manual'} onChange={() => setMode('manual')} /> Only when an
            administrator publishes
          </label>
          <label>
            <input type="radio" name="policy-mode" checked={chosen === 'interval'} onChange={() => setMode('interval')} /> Every few
            seconds
          </label>
          <label>
            <input type="radio" name="policy-mode" checked={chosen === 'each-report'} onChange={() => setMode('each-report')} /> After
            each report
          </label>
        </fieldset>
        {chosen === 'interval' && (
          <>
            <label for="policy-seconds">Seconds between releases (1 to 86400)</label>
            <input
              id="policy-seconds"
              type="number"
              inputMode="numeric"
              min={1}
              max={86400}
              step={1}
              value={shownSeconds}
              onInput={(e) => setSeconds((e.target as HTMLInputElement).value)}
            />
          </>
        )}
        <button type="submit" disabled={busy}>
          Set the publication policy
        </button>
      </form>
      {msg && (
        <Alert kind={msg.kind}>
          <span data-testid="publication-answer">{msg.text}</span>
        </Alert>
      )}
    </div>
  );
}

// The review queue (GET /api/v1/audit): each precinct of each request awaiting the party's answer
// (POST /api/v1/reviews/{seq}/decisions), each accepted precinct awaiting its entry with its
// schedule (POST .../schedule) and its worksheet (POST .../recanvass) or cards (POST .../recount),
// those closed without an entry (the cost declined, or not accepted in time), and what the entries
// found. An entry is refused while a stated cost awaits the campaign's acceptance: the queue says so.
function ReviewQueue(props: { token: string }) {
  const audit = useLiveJson<AuditRecord>('/api/v1/audit');
  const [candidates, setCandidates] = useState<string[]>([]);
  useEffect(() => void get<Election>('/api/v1/election').then((e) => setCandidates(e.candidates), () => undefined), []);
  const requests = audit.body?.requests ?? [];
  const all = requests.flatMap((r) => r.precincts.map((p) => ({ r, p })));
  const undecided = all.filter(({ p }) => p.decision === null);
  const refused = all.filter(({ p }) => p.decision?.decision === 'refused');
  const accepted = all.filter(({ p }) => p.decision?.decision === 'accepted' && p.entries.length === 0);
  const closed = accepted.filter(({ p }) => costsClosed(p));
  const awaiting = accepted.filter(({ r, p }) => r.kind === 'recanvass' && !costsClosed(p));
  const recounts = accepted.filter(({ r, p }) => r.kind === 'recount' && !costsClosed(p));
  const entered = all.filter(({ p }) => p.entries.length > 0);
  return (
    <section class="card" aria-labelledby="reviews-h" data-testid="review-queue">
      <h2 id="reviews-h">Recanvass and recount requests</h2>
      {audit.error && <Alert kind="error">{audit.error}</Alert>}
      <p class="muted">
        Requests due by <span data-testid="admin-deadline">{audit.body?.deadline ?? 'none yet (no complete release)'}</span>; the public record is on the{' '}
        <a href="#/audit">audit page</a>.
      </p>
      <h3>Awaiting a decision ({undecided.length})</h3>
      {undecided.length === 0 && <p class="muted">No precinct awaits a decision.</p>}
      {undecided.map(({ r, p }) => (
        <Decide key={`${r.seq}-${p.precinct}`} r={r} p={p} token={props.token} candidates={candidates} onDone={audit.reload} />
      ))}
      {refused.length > 0 && (
        <>
          <h3>Refused ({refused.length})</h3>
          <p class="muted">A later decision replaces a refusal; both stay on the ledger.</p>
          {refused.map(({ r, p }) => (
            <Decide key={`${r.seq}-${p.precinct}`} r={r} p={p} token={props.token} candidates={candidates} onDone={audit.reload} />
          ))}
        </>
      )}
      <h3>Accepted recanvasses awaiting the worksheet ({awaiting.length})</h3>
      {awaiting.length === 0 && <p class="muted">No accepted recanvass awaits its worksheet.</p>}
      {awaiting.map(({ r, p }) => (
        <AwaitingEntry key={`${r.seq}-${p.precinct}`} r={r} p={p} token={props.token} candidates={candidates} onDone={audit.reload} />
      ))}
      {recounts.length > 0 && (
        <>
          <h3>Accepted recounts awaiting the cards ({recounts.length})</h3>
          {recounts.map(({ r, p }) => (
            <AwaitingEntry key={`${r.seq}-${p.precinct}`} r={r} p={p} token={props.token} candidates={candidates} onDone={audit.reload} />
          ))}
        </>
      )}
      {closed.length > 0 && (
        <>
          <h3>Closed without an entry ({closed.length})</h3>
          <ul>
            {closed.map(({ r, p }) => (
              <li key={`${r.seq}-${p.precinct}`} data-testid={`admin-closed-${r.seq}-${p.precinct}`}>
                <a href={`#/precinct/${p.precinct}`}>
                  {p.county} / {p.name}
                </a>{' '}
                ({r.kind} request {r.seq} by {r.requester}): <CostsText costs={p.costs!} testid={`admin-closed-${r.seq}-${p.precinct}-costs`} />
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Worksheets entered ({entered.length})</h3>
      {entered.length === 0 && <p class="muted">No worksheet has been entered.</p>}
      {entered.map(({ r, p }) => (
        <div key={`${r.seq}-${p.precinct}`} class="review-precinct" data-testid={`admin-entered-${r.seq}-${p.precinct}`}>
          <h4>
            <a href={`#/precinct/${p.precinct}`}>
              {p.county} / {p.name}
            </a>{' '}
            (request {r.seq}, now at revision {p.revision})
          </h4>
          <EntryView entry={p.entries[p.entries.length - 1]!} candidates={candidates} testid={`admin-entry-${r.seq}-${p.precinct}`} />
        </div>
      ))}
    </section>
  );
}

// A stated cost declined, or not accepted by its deadline: the precinct stays as reported.
function costsClosed(p: ReviewPrecinct): boolean {
  const c = p.costs;
  if (!c) return false;
  return c.answer !== null ? !c.answer.accepted : Date.now() > Date.parse(c.due);
}

function ReviewHead(props: { r: ReviewRequest; p: ReviewPrecinct; candidates: string[] }) {
  const { r, p } = props;
  const el = p.eligibility;
  return (
    <>
      <h4>
        <a href={`#/precinct/${p.precinct}`}>
          {p.county} / {p.name}
        </a>
        : {r.kind} requested by {r.requester} <span class="muted">(ledger event {r.seq}, {r.time})</span>
      </h4>
      <p>
        {r.reason}
        {p.reason ? ` · ${p.reason}` : ''}
      </p>
      {p.claims.length > 0 && (
        <ul>
          {p.claims.map((c, i) => (
            <li key={i}>
              {fieldLabel(c.field)} {c.candidate}: {c.reported} reported, {c.claimed} claimed
            </li>
          ))}
        </ul>
      )}
      {el && <p>Would a national delegate change: {el.error !== undefined ? `not computed (${el.error})` : el.eligible ? 'yes' : 'no'}</p>}
      {p.evidence.length > 0 && (
        <div>
          Evidence:
          <EvidenceLinks hashes={p.evidence} testid={`admin-evidence-${r.seq}-${p.precinct}`} />
        </div>
      )}
    </>
  );
}

function Decide(props: { r: ReviewRequest; p: ReviewPrecinct; token: string; candidates: string[]; onDone: () => void }) {
  const { r, p } = props;
  const [reason, setReason] = useState('');
  const [cost, setCost] = useState('');
  const [msg, setMsg] = useState<{ text: string; field: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `decide-${r.seq}-${p.precinct}`;
  const send = async (decision: 'accepted' | 'refused') => {
    setBusy(true);
    setMsg(null);
    try {
      const body: Record<string, unknown> = { submission: newSubmissionId(), precinct: p.precinct, decision, reason };
      if (cost.trim()) body['cost'] = cost.trim();
      await call('POST', `/api/v1/reviews/${r.seq}/decisions`, { token: props.token, body });
      props.onDone();
    } catch (e) {
      setMsg({ text: describeError(e), field: e instanceof ApiError ? e.field : null });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="review-precinct" data-testid={id}>
      <ReviewHead r={r} p={p} candidates={props.candidates} />
      {p.decision && (
        <p>
          <DecisionText d={p.decision} />
        </p>
      )}
      <div class="side-by-side">
        <div>
          <label for={`${id}-reason`}>Reason for the decision</label>
          <input id={`${id}-reason`} value={reason} aria-invalid={msg?.field === 'reason' || undefined} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        </div>
        <div>
          <label for={`${id}-cost`}>Cost (optional, e.g. 350.00)</label>
          <input id={`${id}-cost`} inputMode="decimal" value={cost} aria-invalid={msg?.field === 'cost' || undefined} onInput={(e) => setCost((e.target as HTMLInputElement).value)} />
        </div>
      </div>
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={() => void send('accepted')}>
          Accept
        </button>
        <button type="button" disabled={busy} onClick={() => void send('refused')}>
          Refuse
        </button>
      </div>
      {msg && (
        <p class="field-error" role="alert" data-field={msg.field ?? ''}>
          {msg.text}
          {msg.field ? <> <code>{msg.field}</code></> : null}
        </p>
      )}
    </div>
  );
}

// A refusal under the form part its field names (`observers[1]` beside the observers).
function FieldError(props: { msg: { text: string; field: string | null } | null; at?: string }) {
  const m = props.msg;
  if (!m) return null;
  const part = (m.field ?? '').split(/[.[]/)[0] ?? '';
  if (props.at !== undefined && part !== props.at) return null;
  return (
    <p class="field-error" role="alert" data-field={m.field ?? ''}>
      {m.text}
      {m.field ? <> <code>{m.field}</code></> : null}
    </p>
  );
}

// An accepted precinct awaiting its entry: the decision; the cost and the campaign's answer (the
// server refuses an entry while a stated cost awaits acceptance, and the queue says so first);
// when and where the packet is opened; then the worksheet (recanvass) or the cards (recount).
function AwaitingEntry(props: { r: ReviewRequest; p: ReviewPrecinct; token: string; candidates: string[]; onDone: () => void }) {
  const { r, p } = props;
  const id = `${r.kind === 'recount' ? 'recount' : 'sheet'}-${r.seq}-${p.precinct}`;
  const c = p.costs;
  return (
    <div class="review-precinct" data-testid={id}>
      <ReviewHead r={r} p={p} candidates={props.candidates} />
      <p>
        <strong data-testid={`${id}-decision`}>{p.decision && <DecisionText d={p.decision} />}</strong>
      </p>
      {c && c.answer === null && (
        <Alert kind="warn">
          <span data-testid={`${id}-awaiting-costs`}>
            Cost {c.amount}: awaiting the campaign's acceptance of the costs (due {c.due}); an entry is refused until then.
          </span>
        </Alert>
      )}
      {c && c.answer !== null && (
        <p>
          <strong>Costs</strong>: <CostsText costs={c} testid={`${id}-costs`} />
        </p>
      )}
      <ScheduleForm id={`${id}-schedule`} r={r} p={p} token={props.token} onDone={props.onDone} />
      {r.kind === 'recount' ? (
        <RecountForm id={id} r={r} p={p} token={props.token} candidates={props.candidates} onDone={props.onDone} />
      ) : (
        <WorksheetForm id={id} r={r} p={p} token={props.token} candidates={props.candidates} onDone={props.onDone} />
      )}
    </div>
  );
}

// When and where the packet is opened (POST .../schedule; the last one stands), so that the
// campaigns can send observers. The time is typed in the browser's own zone and sent in UTC.
function ScheduleForm(props: { id: string; r: ReviewRequest; p: ReviewPrecinct; token: string; onDone: () => void }) {
  const { id, r, p } = props;
  const [at, setAt] = useState('');
  const [place, setPlace] = useState('');
  const [msg, setMsg] = useState<{ text: string; field: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    const when = at ? new Date(at) : null;
    try {
      await call('POST', `/api/v1/reviews/${r.seq}/schedule`, {
        token: props.token,
        // An unreadable time goes as typed: the server names what is wrong with it.
        body: { submission: newSubmissionId(), precinct: p.precinct, at: when && !Number.isNaN(when.getTime()) ? when.toISOString() : at, place },
      });
      setAt('');
      setPlace('');
      props.onDone();
    } catch (err) {
      setMsg({ text: describeError(err), field: err instanceof ApiError ? err.field : null });
    } finally {
      setBusy(false);
    }
  };
  const named = (msg?.field ?? '') === 'at' || msg?.field === 'place' ? msg!.field : null;
  return (
    <form class="schedule" data-testid={id} onSubmit={submit} noValidate>
      <p>
        {p.schedule ? (
          <>
            Scheduled: <ScheduleText schedule={p.schedule} testid={`${id}-current`} />
          </>
        ) : (
          'Not scheduled yet: say when and where the packet is opened, for the observers.'
        )}
      </p>
      <div class="side-by-side">
        <div>
          <label for={`${id}-at`}>Opened at (your local time)</label>
          <input id={`${id}-at`} type="datetime-local" value={at} aria-invalid={named === 'at' || undefined} onInput={(e) => setAt((e.target as HTMLInputElement).value)} />
          <FieldError msg={msg} at="at" />
        </div>
        <div>
          <label for={`${id}-place`}>Place</label>
          <input id={`${id}-place`} value={place} aria-invalid={named === 'place' || undefined} onInput={(e) => setPlace((e.target as HTMLInputElement).value)} />
          <FieldError msg={msg} at="place" />
        </div>
      </div>
      <button type="submit" disabled={busy}>
        {p.schedule ? 'Reschedule' : 'Schedule'}
      </button>
      {named === null && <FieldError msg={msg} />}
    </form>
  );
}

// The campaigns whose observers were present, one checkbox per candidate, kept in the election's order.
function Observers(props: { id: string; candidates: string[]; chosen: string[]; onChange: (chosen: string[]) => void; invalid: boolean }) {
  return (
    <fieldset class="toggle" data-testid={`${props.id}-observers`} aria-invalid={props.invalid || undefined}>
      <legend>Observers present (campaigns)</legend>
      {props.candidates.map((c) => (
        <label key={c}>
          <input
            type="checkbox"
            id={`${props.id}-observer-${c}`}
            checked={props.chosen.includes(c)}
            onChange={(e) => {
              const on = (e.target as HTMLInputElement).checked;
              props.onChange(props.candidates.filter((x) => (x === c ? on : props.chosen.includes(x))));
            }}
          />{' '}
          {c}
        </label>
      ))}
    </fieldset>
  );
}

// The signed worksheet of an accepted recanvass, entered beside the figures as reported.
function WorksheetForm(props: { id: string; r: ReviewRequest; p: ReviewPrecinct; token: string; candidates: string[]; onDone: () => void }) {
  const { id, r, p, candidates } = props;
  const [record, setRecord] = useState<Precinct | null>(null);
  const [first, setFirst] = useState<Record<string, string>>({});
  const [final, setFinal] = useState<Record<string, string>>({});
  const [delegates, setDelegates] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  const [photo, setPhoto] = useState('');
  const [observers, setObservers] = useState<string[]>([]);
  const [msg, setMsg] = useState<{ text: string; field: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => void get<Precinct>(`/api/v1/precincts/${p.precinct}`).then(setRecord, () => undefined), [p.precinct, p.revision]);
  const shown = candidates.filter(
    (c) => record === null || [record.reported.first, record.reported.final, record.reported.delegates].some((f) => (f?.[c] ?? 0) !== 0) || first[c] || final[c] || delegates[c],
  );
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    try {
      const worksheet: Record<string, unknown> = { first: toFigures(first) };
      if (Object.values(final).some((v) => v.trim() !== '')) worksheet['final'] = toFigures(final);
      if (Object.values(delegates).some((v) => v.trim() !== '')) worksheet['delegates'] = toFigures(delegates);
      const body: Record<string, unknown> = { submission: newSubmissionId(), precinct: p.precinct, worksheet };
      if (observers.length) body['observers'] = observers;
      if (note.trim()) body['note'] = note;
      if (photo) body['photo'] = photo;
      await call('POST', `/api/v1/reviews/${r.seq}/recanvass`, { token: props.token, body });
      props.onDone();
    } catch (err) {
      setMsg({ text: describeError(err), field: err instanceof ApiError ? err.field : null });
    } finally {
      setBusy(false);
    }
  };
  const rep = record?.reported;
  const atObservers = (msg?.field ?? '').startsWith('observers');
  return (
    <form onSubmit={submit} data-testid={`${id}-form`}>
      <div class="side-by-side">
        <div class="table-wrap">
          <table data-testid={`${id}-reported`}>
            <caption>As reported (revision {record?.revision ?? p.revision})</caption>
            <thead>
              <tr>
                <th scope="col">Candidate</th>
                <th scope="col" class="n">First</th>
                <th scope="col" class="n">Final</th>
                <th scope="col" class="n">Delegates</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => (
                <tr key={c}>
                  <th scope="row">{c}</th>
                  <td class="n">{rep?.first?.[c] ?? 0}</td>
                  <td class="n">{rep?.final?.[c] ?? 0}</td>
                  <td class="n" data-testid={`${id}-reported-delegates-${c}`}>{rep?.delegates ? (rep.delegates[c] ?? 0) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rep && !rep.delegates && <p class="muted">No delegates were reported; the rules give {figuresText(record?.computed?.delegates, candidates)}.</p>}
        </div>
        <FigureInputs idPrefix={`${id}-first`} legend="Worksheet: first alignment" candidates={candidates} values={first} onChange={(c, v) => setFirst({ ...first, [c]: v })} />
        <FigureInputs idPrefix={`${id}-final`} legend="Worksheet: final alignment" candidates={candidates} values={final} onChange={(c, v) => setFinal({ ...final, [c]: v })} />
        <FigureInputs idPrefix={`${id}-delegates`} legend="Worksheet: delegates" candidates={candidates} values={delegates} onChange={(c, v) => setDelegates({ ...delegates, [c]: v })} />
      </div>
      {(record?.photos.length ?? 0) > 0 && (
        <>
          <label for={`${id}-photo`}>The worksheet's photo (attached to the precinct)</label>
          <select id={`${id}-photo`} value={photo} onChange={(e) => setPhoto((e.target as HTMLSelectElement).value)}>
            <option value="">none</option>
            {record!.photos.map((h) => (
              <option key={h} value={h}>
                {h.slice(0, 16)}…
              </option>
            ))}
          </select>
        </>
      )}
      <label for={`${id}-note`}>Note (optional)</label>
      <input id={`${id}-note`} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      <Observers id={id} candidates={candidates} chosen={observers} onChange={setObservers} invalid={atObservers} />
      {atObservers && <FieldError msg={msg} />}
      <button type="submit" class="primary" disabled={busy}>
        Enter the worksheet
      </button>
      {!atObservers && <FieldError msg={msg} />}
    </form>
  );
}

// The cards of an accepted recount: how many were counted (T′) and their sorts by first and second
// preference, or a packet that cannot be audited and why.
function RecountForm(props: { id: string; r: ReviewRequest; p: ReviewPrecinct; token: string; candidates: string[]; onDone: () => void }) {
  const { id, r, p, candidates } = props;
  const [cards, setCards] = useState('');
  const [first, setFirst] = useState<Record<string, string>>({});
  const [final, setFinal] = useState<Record<string, string>>({});
  const [unauditable, setUnauditable] = useState(false);
  const [custody, setCustody] = useState('');
  const [note, setNote] = useState('');
  const [observers, setObservers] = useState<string[]>([]);
  const [msg, setMsg] = useState<{ text: string; field: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    try {
      const body: Record<string, unknown> = { submission: newSubmissionId(), precinct: p.precinct };
      if (observers.length) body['observers'] = observers;
      if (unauditable) {
        body['unauditable'] = true;
        body['custody'] = custody;
      } else {
        body['cards'] = cards.trim() === '' ? null : Number(cards);
        body['first'] = toFigures(first);
        body['final'] = toFigures(final);
      }
      if (note.trim()) body['note'] = note;
      await call('POST', `/api/v1/reviews/${r.seq}/recount`, { token: props.token, body });
      props.onDone();
    } catch (err) {
      setMsg({ text: describeError(err), field: err instanceof ApiError ? err.field : null });
    } finally {
      setBusy(false);
    }
  };
  const part = (msg?.field ?? '').split(/[.[]/)[0] ?? '';
  const beside = (unauditable ? ['custody', 'observers'] : ['cards', 'observers']).includes(part) ? part : 'form';
  return (
    <form onSubmit={submit} data-testid={`${id}-form`} noValidate>
      <label class="check">
        <input type="checkbox" checked={unauditable} onChange={(e) => setUnauditable((e.target as HTMLInputElement).checked)} /> The packet cannot be
        audited (missing or short)
      </label>
      {unauditable ? (
        <>
          <label for={`${id}-custody`}>What is wrong with the packet</label>
          <input id={`${id}-custody`} value={custody} aria-invalid={beside === 'custody' || undefined} onInput={(e) => setCustody((e.target as HTMLInputElement).value)} />
          {beside === 'custody' && <FieldError msg={msg} />}
        </>
      ) : (
        <>
          <label for={`${id}-cards`}>Cards counted</label>
          <input id={`${id}-cards`} type="number" inputMode="numeric" min={1} step={1} value={cards} aria-invalid={beside === 'cards' || undefined} onInput={(e) => setCards((e.target as HTMLInputElement).value)} />
          {beside === 'cards' && <FieldError msg={msg} />}
          <div class="side-by-side">
            <FigureInputs idPrefix={`${id}-first`} legend="Sorted by first preference" candidates={candidates} values={first} onChange={(c, v) => setFirst({ ...first, [c]: v })} />
            <FigureInputs idPrefix={`${id}-final`} legend="Sorted by second preference (final)" candidates={candidates} values={final} onChange={(c, v) => setFinal({ ...final, [c]: v })} />
          </div>
        </>
      )}
      <label for={`${id}-note`}>Note (optional)</label>
      <input id={`${id}-note`} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      <Observers id={id} candidates={candidates} chosen={observers} onChange={setObservers} invalid={beside === 'observers'} />
      {beside === 'observers' && <FieldError msg={msg} />}
      <button type="submit" class="primary" disabled={busy}>
        Enter the recount
      </button>
      {beside === 'form' && <FieldError msg={msg} />}
    </form>
  );
}
