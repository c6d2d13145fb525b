// Campaigns: every precinct that has reported, with its status and findings; confirm or dispute
// (with a reason) each report's current revision; the campaign's own verdicts so far.
import { useEffect, useState } from 'preact/hooks';
import { call, describeError, get, newSubmissionId, type Precinct, type PrecinctSummary, type Session } from '../api';
import { loadAttestations, type AttestationRow } from '../staff';
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
  const [mine, setMine] = useState<AttestationRow[]>([]);
  const campaign = props.session.subject;
  const load = () => {
    void get<{ precincts: PrecinctSummary[] }>('/api/v1/precincts').then((b) => setPrecincts(b.precincts), () => undefined);
    void loadAttestations(campaign).then(setMine, () => undefined);
  };
  useEffect(() => void load(), []);
  // This campaign's standing verdict per precinct (its latest on the current revision).
  const standing = new Map<number, AttestationRow>();
  for (const a of mine) if (a.standing) standing.set(a.precinct, a);
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
              {standing.has(p.id) && (
                <span class="tag" data-testid={`my-verdict-${p.id}`}>
                  you {standing.get(p.id)!.verdict === 'dispute' ? 'dispute' : 'confirm'} rev {standing.get(p.id)!.revision}
                </span>
              )}
              {open === p.id && <Attest id={p.id} token={props.session.token} campaign={campaign} onDone={() => void load()} />}
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="mine-h">
        <h2 id="mine-h">Your verdicts ({mine.length})</h2>
        {mine.length === 0 ? (
          <p class="muted">You have not confirmed or disputed any report yet.</p>
        ) : (
          <ul class="precinct-list" data-testid="my-verdicts">
            {[...mine].reverse().map((a) => (
              <li key={a.seq} data-precinct={a.precinct} data-verdict={a.verdict}>
                <a href={`#/precinct/${a.precinct}`}>
                  {a.county} / {a.name}
                </a>
                : {a.verdict === 'dispute' ? 'disputed' : 'confirmed'} revision {a.revision}
                {a.reason ? ` (${a.reason})` : ''}
                {a.standing ? '' : a.revision !== a.current_revision ? ' · the report was corrected since' : ' · superseded by your later verdict'}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function Attest(props: { id: number; token: string; campaign: string; onDone: () => void }) {
  const [p, setP] = useState<Precinct | null>(null);
  const [reason, setReason] = useState('');
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const reload = () =>
    get<Precinct>(`/api/v1/precincts/${props.id}`).then(setP, (e) => setMsg({ kind: 'error', text: describeError(e) }));
  useEffect(() => void reload(), [props.id]);
  if (!p) return msg ? <Alert kind={msg.kind}>{msg.text}</Alert> : <p>Loading…</p>;
  const send = async (verdict: 'confirm' | 'dispute') => {
    // The reason belongs to a dispute only: a confirmation never carries an earlier dispute's words.
    const body: Record<string, unknown> = { submission: newSubmissionId(), verdict, revision: p.revision };
    if (verdict === 'dispute') body['reason'] = reason;
    setBusy(true);
    try {
      await call('POST', `/api/v1/precincts/${props.id}/attestations`, { token: props.token, body });
      setMsg({ kind: 'ok', text: verdict === 'confirm' ? 'Confirmed.' : 'Dispute recorded.' });
      setReason('');
      props.onDone();
    } catch (e) {
      setMsg({ kind: 'error', text: describeError(e) });
    } finally {
      setBusy(false);
      void reload();
    }
  };
  const own = p.attestations.filter((a) => a.campaign === props.campaign);
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
      {own.length > 0 && (
        <div data-testid={`own-verdicts-${p.id}`}>
          <p>Your verdicts on this precinct:</p>
          <ul>
            {own.map((a) => (
              <li key={a.seq}>
                {a.verdict === 'dispute' ? 'Disputed' : 'Confirmed'} revision {a.revision}
                {a.reason ? `: ${a.reason}` : ''} <span class="muted">(ledger event {a.seq})</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <label for={rid}>Reason (required to dispute)</label>
      <input id={rid} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => void send('confirm')}>
          Confirm revision {p.revision}
        </button>
        <button type="button" disabled={busy} onClick={() => void send('dispute')}>
          Dispute
        </button>
      </div>
      {msg && <Alert kind={msg.kind}>{msg.text}</Alert>}
    </div>
  );
}
