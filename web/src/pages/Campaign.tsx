// Campaigns: every precinct that has reported, with its status and findings; confirm or dispute
// (with a reason) each report's current revision.
import { useEffect, useState } from 'preact/hooks';
import { call, describeError, get, newSubmissionId, type Precinct, type PrecinctSummary, type Session } from '../api';
import { Alert, Login, LogoutBar, StatusBadge, useSession } from '../ui';

export function CampaignPage() {
  const [session, setSession] = useSession('campaign');
  if (!session) return <Login role="campaign" title="Campaign: log in" onSession={setSession} />;
  return <CampaignDesk session={session} onLogout={() => setSession(null)} />;
}

function CampaignDesk(props: { session: Session; onLogout: () => void }) {
  const [precincts, setPrecincts] = useState<PrecinctSummary[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  const [filter, setFilter] = useState('');
  const load = () => get<{ precincts: PrecinctSummary[] }>('/api/v1/precincts').then((b) => setPrecincts(b.precincts), () => undefined);
  useEffect(() => void load(), []);
  const f = filter.trim().toLowerCase();
  const reported = precincts.filter((p) => p.status !== 'not-reported' && (!f || `${p.county} ${p.precinct}`.toLowerCase().includes(f)));
  return (
    <div class="campaign">
      <LogoutBar session={props.session} onLogout={props.onLogout}>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </LogoutBar>
      <section class="card" aria-labelledby="camp-h">
        <h2 id="camp-h">Reports ({reported.length})</h2>
        <label for="camp-filter">Filter by county or precinct</label>
        <input id="camp-filter" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <ul class="precinct-list">
          {reported.slice(0, 300).map((p) => (
            <li key={p.id}>
              <button type="button" class="link" aria-expanded={open === p.id} onClick={() => setOpen(open === p.id ? null : p.id)}>
                {p.county} / {p.precinct}
              </button>{' '}
              <StatusBadge status={p.status} /> rev {p.revision}
              {p.flagged && <span class="tag error">findings</span>}
              {p.disputed && <span class="tag warn">disputed</span>}
              {open === p.id && <Attest id={p.id} token={props.session.token} onDone={() => void load()} />}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function Attest(props: { id: number; token: string; onDone: () => void }) {
  const [p, setP] = useState<Precinct | null>(null);
  const [reason, setReason] = useState('');
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  useEffect(() => {
    get<Precinct>(`/api/v1/precincts/${props.id}`).then(setP, (e) => setMsg({ kind: 'error', text: describeError(e) }));
  }, [props.id]);
  if (!p) return msg ? <Alert kind={msg.kind}>{msg.text}</Alert> : <p>Loading…</p>;
  const send = async (verdict: 'confirm' | 'dispute') => {
    try {
      await call('POST', `/api/v1/precincts/${props.id}/attestations`, {
        token: props.token,
        body: { submission: newSubmissionId(), verdict, reason, revision: p.revision },
      });
      setMsg({ kind: 'ok', text: verdict === 'confirm' ? 'Confirmed.' : 'Dispute recorded.' });
      props.onDone();
    } catch (e) {
      setMsg({ kind: 'error', text: describeError(e) });
    }
  };
  const rid = `reason-${props.id}`;
  return (
    <div class="attest">
      {p.findings.length > 0 && (
        <ul class="findings">
          {p.findings.map((f, i) => (
            <li key={i} class={`finding ${f.severity}`}>
              <code>{f.code}</code>: {f.message}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href={`#/precinct/${p.id}`}>The full report</a>
      </p>
      <label for={rid}>Reason (required to dispute)</label>
      <input id={rid} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
      <div class="actions">
        <button type="button" onClick={() => void send('confirm')}>
          Confirm revision {p.revision}
        </button>
        <button type="button" onClick={() => void send('dispute')}>
          Dispute
        </button>
      </div>
      {msg && <Alert kind={msg.kind}>{msg.text}</Alert>}
    </div>
  );
}
