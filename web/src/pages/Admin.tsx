// Administrators: readiness (which chairs have logged in and sent a practice report), precincts
// reporting by status, the
// findings queue, the hotline's reconciliation queue and the releases (when the server has them).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, describeError, get, type PrecinctSummary, type Session } from '../api';
import { parseReleases, type ReleaseRef } from '../provenance';
import { Alert, Login, LogoutBar, StatusBadge, useSession } from '../ui';

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

export function AdminPage() {
  const [session, setSession] = useSession('admin');
  if (!session) return <Login role="admin" title="Administrator: log in" onSession={setSession} />;
  return <AdminDesk session={session} onLogout={() => setSession(null)} />;
}

function AdminDesk(props: { session: Session; onLogout: () => void }) {
  const token = props.session.token;
  const [ready, setReady] = useState<Readiness | null>(null);
  const [precincts, setPrecincts] = useState<PrecinctSummary[]>([]);
  const [releases, setReleases] = useState<ReleaseRef[] | 'none' | null>(null);
  const [queue, setQueue] = useState<number>(0);
  const [error, setError] = useState('');
  const [show, setShow] = useState<'missing' | 'unpractised' | 'ready'>('missing');
  const load = () => {
    get<Readiness>('/api/v1/readiness', token).then(setReady, (e) => {
      if (e instanceof ApiError && e.status === 401) props.onLogout();
      setError(describeError(e));
    });
    get<{ precincts: PrecinctSummary[] }>('/api/v1/precincts').then((b) => setPrecincts(b.precincts), () => undefined);
    get<{ queue: unknown[] }>('/api/v1/hotline/reconciliation', token).then((b) => setQueue(b.queue.length), () => undefined);
    get<unknown>('/api/v1/releases').then(
      (b) => setReleases(parseReleases(b)),
      (e) => setReleases(e instanceof ApiError && e.status === 404 ? 'none' : null),
    );
  };
  useEffect(load, []);
  const byStatus = new Map<string, number>();
  for (const p of precincts) byStatus.set(p.status, (byStatus.get(p.status) ?? 0) + 1);
  const flagged = precincts.filter((p) => p.flagged || p.disputed);
  const rows = (ready?.precincts ?? []).filter((r) =>
    show === 'missing' ? !r.chair_logged_in : show === 'unpractised' ? r.practice_reports === 0 : r.chair_logged_in && r.practice_reports > 0,
  );
  return (
    <div class="admin">
      <LogoutBar session={props.session} onLogout={props.onLogout}>
        <button type="button" onClick={load}>
          Refresh
        </button>
      </LogoutBar>
      {error && <Alert kind="error">{error}</Alert>}
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
              <input type="radio" name="ready" checked={show === 'missing'} onChange={() => setShow('missing')} /> Not logged in yet
            </label>
            <label>
              <input type="radio" name="ready" checked={show === 'unpractised'} onChange={() => setShow('unpractised')} /> No practice
              report yet
            </label>
            <label>
              <input type="radio" name="ready" checked={show === 'ready'} onChange={() => setShow('ready')} /> Ready (both)
            </label>
          </fieldset>
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
                {rows.slice(0, 200).map((r) => (
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
          {rows.length > 200 && <p class="muted">and {rows.length - 200} more</p>}
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
          <p>
            Hotline reconciliation queue: <strong>{queue}</strong> (<a href="#/operator">operators' page</a>)
          </p>
        </section>
      </div>
      <section class="card" aria-labelledby="flag-h">
        <h2 id="flag-h">Findings queue ({flagged.length})</h2>
        {flagged.length === 0 ? (
          <p class="muted">No precinct is flagged.</p>
        ) : (
          <ul class="precinct-list" data-testid="findings-queue">
            {flagged.map((p) => (
              <li key={p.id}>
                <a href={`#/precinct/${p.id}`}>
                  {p.county} / {p.precinct}
                </a>{' '}
                <StatusBadge status={p.status} />
                {p.flagged && <span class="tag error">error findings</span>}
                {p.disputed && <span class="tag warn">disputed</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="rel-h">
        <h2 id="rel-h">Releases</h2>
        {releases === null && <p class="muted">Loading…</p>}
        {releases === 'none' && <p class="muted" data-testid="no-releases">This server publishes no releases.</p>}
        {Array.isArray(releases) && releases.length === 0 && <p class="muted">No release published yet.</p>}
        {Array.isArray(releases) && releases.length > 0 && (
          <ul>
            {releases.map((r) => (
              <li key={r.number}>
                <a href={r.href}>Release {r.number}</a>
                {r.seq !== null ? ` · ledger position ${r.seq}` : ''}
                {r.published ? ` · ${r.published}` : ''}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
