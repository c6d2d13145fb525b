// Campaigns: every precinct that has reported, with its status and findings; confirm or dispute
// (with a reason) each report's current revision; the campaign's own verdicts so far; after the
// night, a recanvass or recount request with the claimed figures and the evidence of each
// precinct, and the answer to the costs the party states for the campaign's own requests.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, describeError, get, newSubmissionId, type Election, type Precinct, type PrecinctSummary, type Receipt, type Session } from '../api';
import {
  CostsText, ScheduleText, fieldLabel, materialityKey, useLiveJson,
  type AuditRecord, type Evidence, type MaterialityList, type MaterialityRow, type ReviewPrecinct, type ReviewRequest,
} from '../reviews';
import { CampaignConventions } from './ConventionDesk';
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
      <CampaignConventions session={props.session} />
      <RequestForm session={props.session} precincts={precincts} />
      <MyRequests session={props.session} />
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

// A recanvass or recount request (POST /api/v1/reviews): precincts picked by county or name (the
// materiality list says which could change a national delegate), for each the claimed figures
// (the reported one prefilled from the precinct's record), a reason and evidence (uploaded first to
// POST /api/v1/evidence; the request names the hashes). A refusal is shown next to the input its
// field names, and what was typed stays.
interface ClaimRow { field: string; candidate: string; reported: string; claimed: string }
interface Upload extends Evidence { name: string }
interface Pick {
  id: number;
  county: string;
  name: string;
  reason: string;
  claims: ClaimRow[];
  record: Precinct | null;
  evidence: Upload[];
  uploadRefusal: Refusal | null;
  uploading: boolean;
}
interface Refusal { code: string; message: string; field: string | null }

// Where a refusal's field points: the request's own inputs, a precinct, its claims, or one claim.
function refusalAt(field: string | null): { at: string; precinct?: number; claim?: number; part?: string } {
  if (!field) return { at: 'form' };
  if (field === 'reason' || field === 'kind' || field === 'precincts') return { at: field };
  const m = /^precincts\[(\d+)\](?:\.(\w+)(?:\[(\d+)\](?:\.(\w+))?)?)?/.exec(field);
  if (!m) return { at: 'form' };
  const precinct = Number(m[1]);
  if (m[2] === 'claims' && m[3] !== undefined) return { at: 'claim', precinct, claim: Number(m[3]), part: m[4] ?? '' };
  if (m[2] === 'claims') return { at: 'claims', precinct };
  if (m[2] === 'reason') return { at: 'precinct-reason', precinct };
  if (m[2] === 'evidence') return { at: 'evidence', precinct };
  return { at: 'precinct', precinct };
}

function RefusalText(props: { r: Refusal }) {
  return (
    <p class="field-error" role="alert" data-testid="refusal" data-code={props.r.code} data-field={props.r.field ?? ''}>
      {props.r.message}
      {props.r.field ? (
        <>
          {' '}
          <code>{props.r.field}</code>
        </>
      ) : null}
    </p>
  );
}

// The figure the public has for `field`: as reported; the delegates as the worksheet reported them,
// else as the rules computed them (the engine checks the claim against the same).
function reportedFigure(p: Precinct | null, field: string, candidate: string): string {
  if (!p) return '';
  const figures = field === 'first' ? p.reported.first : field === 'final' ? p.reported.final : p.reported.delegates ?? p.computed?.delegates;
  return figures ? String(figures[candidate] ?? 0) : '';
}

function RequestForm(props: { session: Session; precincts: PrecinctSummary[] }) {
  const [candidates, setCandidates] = useState<string[]>([]);
  const [material, setMaterial] = useState<Map<string, MaterialityRow>>(new Map());
  const [kind, setKind] = useState<'recanvass' | 'recount'>('recanvass');
  const [reason, setReason] = useState('');
  const [search, setSearch] = useState('');
  const [onlyMaterial, setOnlyMaterial] = useState(false);
  const [picks, setPicks] = useState<Pick[]>([]);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [filed, setFiled] = useState<Receipt | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void get<Election>('/api/v1/election').then((e) => setCandidates(e.candidates), () => undefined);
    void get<MaterialityList>('/api/v1/audit/materiality').then(
      (m) => setMaterial(new Map(m.precincts.map((r) => [materialityKey(r.county, r.precinct), r]))),
      () => undefined,
    );
  }, []);
  const f = search.trim().toLowerCase();
  const chosen = new Set(picks.map((p) => p.id));
  const matches = f || onlyMaterial
    ? props.precincts.filter(
        (p) =>
          p.status !== 'not-reported' &&
          !chosen.has(p.id) &&
          (!f || `${p.county} ${p.precinct}`.toLowerCase().includes(f)) &&
          (!onlyMaterial || material.get(materialityKey(p.county, p.precinct))?.possibly_material),
      )
    : [];
  const update = (i: number, change: (p: Pick) => Pick) => setPicks((all) => all.map((p, j) => (j === i ? change(p) : p)));
  const add = (p: PrecinctSummary) => {
    setSearch('');
    setPicks((all) => [
      ...all,
      { id: p.id, county: p.county, name: p.precinct, reason: '', claims: [], record: null, evidence: [], uploadRefusal: null, uploading: false },
    ]);
    void get<Precinct>(`/api/v1/precincts/${p.id}`).then(
      (record) => setPicks((all) => all.map((x) => (x.id === p.id ? { ...x, record } : x))),
      () => undefined,
    );
  };
  // Sends a chosen file to POST /api/v1/evidence and keeps its hash for the request; a refusal
  // (a file of another kind, too large) is shown beside the input.
  const uploadEvidence = async (id: number, input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    const patch = (change: Partial<Pick>) => setPicks((all) => all.map((x) => (x.id === id ? { ...x, ...change } : x)));
    patch({ uploading: true, uploadRefusal: null });
    try {
      const r = await call<Evidence>('POST', '/api/v1/evidence', {
        token: props.session.token,
        raw: file,
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
      });
      setPicks((all) =>
        all.map((x) =>
          x.id !== id
            ? x
            : {
                ...x,
                uploading: false,
                // The same file twice is the same hash: named once.
                evidence: x.evidence.some((u) => u.sha256 === r.body.sha256) ? x.evidence : [...x.evidence, { ...r.body, name: file.name }],
              },
        ),
      );
    } catch (err) {
      patch({
        uploading: false,
        // Shown beside the file input it concerns: no field to name.
        uploadRefusal: err instanceof ApiError ? { code: err.code, message: err.message, field: err.field } : { code: 'network', message: describeError(err), field: null },
      });
    } finally {
      input.value = '';
    }
  };
  const setClaim = (i: number, j: number, change: Partial<ClaimRow>) =>
    update(i, (p) => ({
      ...p,
      claims: p.claims.map((c, k) => {
        if (k !== j) return c;
        const next = { ...c, ...change };
        // A new figure or candidate: the reported value is the record's again.
        if (change.field !== undefined || change.candidate !== undefined) next.reported = reportedFigure(p.record, next.field, next.candidate);
        return next;
      }),
    }));
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefusal(null);
    setFiled(null);
    const number = (v: string) => (v.trim() === '' ? null : Number(v));
    const body = {
      submission: newSubmissionId(),
      kind,
      reason,
      precincts: picks.map((p) => ({
        precinct: p.id,
        ...(p.reason.trim() ? { reason: p.reason } : {}),
        ...(p.evidence.length ? { evidence: p.evidence.map((u) => u.sha256) } : {}),
        ...(p.claims.length
          ? { claims: p.claims.map((c) => ({ field: c.field, candidate: c.candidate, reported: number(c.reported), claimed: number(c.claimed) })) }
          : {}),
      })),
    };
    try {
      const r = await call<{ receipt: Receipt }>('POST', '/api/v1/reviews', { token: props.session.token, body });
      setFiled(r.body.receipt);
      setPicks([]);
      setReason('');
    } catch (err) {
      setRefusal(err instanceof ApiError ? { code: err.code, message: err.message, field: err.field } : { code: 'network', message: describeError(err), field: null });
    } finally {
      setBusy(false);
    }
  };
  const at = refusalAt(refusal?.field ?? null);
  const here = (where: string, i?: number, j?: number) =>
    refusal !== null && at.at === where && (i === undefined || at.precinct === i) && (j === undefined || at.claim === j);
  return (
    <section class="card" aria-labelledby="req-h">
      <h2 id="req-h">Request a recanvass or recount</h2>
      <form onSubmit={submit} data-testid="request-form" noValidate>
        <fieldset class="toggle">
          <legend>Kind</legend>
          <label>
            <input type="radio" name="req-kind" checked={kind === 'recanvass'} onChange={() => setKind('recanvass')} /> Recanvass (the worksheets)
          </label>
          <label>
            <input type="radio" name="req-kind" checked={kind === 'recount'} onChange={() => setKind('recount')} /> Recount (the cards)
          </label>
        </fieldset>
        {here('kind') && <RefusalText r={refusal!} />}
        <label for="req-reason">Reason for the request</label>
        <textarea id="req-reason" rows={2} value={reason} aria-invalid={here('reason') || undefined} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        {here('reason') && <RefusalText r={refusal!} />}

        <label for="req-search">Find a precinct (county or name)</label>
        <input id="req-search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        <label class="check">
          <input type="checkbox" checked={onlyMaterial} onChange={(e) => setOnlyMaterial((e.target as HTMLInputElement).checked)} /> Only precincts that could
          change a national delegate (the materiality list)
        </label>
        {(f || onlyMaterial) && (
          <ul class="precinct-list" data-testid="req-matches">
            {matches.length === 0 && <li class="muted">No reported precinct matches.</li>}
            {matches.slice(0, 20).map((p) => {
              const m = material.get(materialityKey(p.county, p.precinct));
              return (
                <li key={p.id}>
                  <button type="button" class="link" onClick={() => add(p)}>
                    Add {p.county} / {p.precinct}
                  </button>
                  {m?.material ? (
                    <span class="tag warn" title={m.smallest_change?.text}>material</span>
                  ) : m?.possibly_material ? (
                    <span class="tag">possibly material</span>
                  ) : null}
                </li>
              );
            })}
            {matches.length > 20 && <li class="muted">{matches.length - 20} more: narrow the search</li>}
          </ul>
        )}
        {here('precincts') && <RefusalText r={refusal!} />}

        {picks.map((p, i) => (
          <fieldset key={p.id} data-testid={`req-precinct-${p.id}`}>
            <legend>
              {p.county} / {p.name}
            </legend>
            {here('precinct', i) && <RefusalText r={refusal!} />}
            <label for={`req-p-reason-${p.id}`}>Reason for this precinct (optional)</label>
            <input id={`req-p-reason-${p.id}`} value={p.reason} onInput={(e) => update(i, (x) => ({ ...x, reason: (e.target as HTMLInputElement).value }))} />
            {here('precinct-reason', i) && <RefusalText r={refusal!} />}
            <label for={`req-${p.id}-evidence`}>Evidence (a photo, JPEG, PNG or HEIC, or a PDF)</label>
            <input
              id={`req-${p.id}-evidence`}
              type="file"
              accept="image/jpeg,image/png,image/heic,application/pdf"
              disabled={p.uploading}
              aria-invalid={p.uploadRefusal !== null || here('evidence', i) || undefined}
              onChange={(e) => void uploadEvidence(p.id, e.target as HTMLInputElement)}
            />
            {p.uploading && <p class="muted">Uploading…</p>}
            {p.uploadRefusal && <RefusalText r={p.uploadRefusal} />}
            {here('evidence', i) && <RefusalText r={refusal!} />}
            {p.evidence.length > 0 && (
              <ul class="evidence" data-testid={`req-${p.id}-evidence-list`}>
                {p.evidence.map((u) => (
                  <li key={u.sha256} data-sha256={u.sha256}>
                    <a href={u.url} target="_blank" rel="noopener" title={u.sha256}>
                      <code class="hash">{u.sha256.slice(0, 12)}…</code>
                    </a>{' '}
                    {u.name} ({u.content_type}, {u.bytes} bytes){' '}
                    <button
                      type="button"
                      class="link"
                      onClick={() => setPicks((all) => all.map((x) => (x.id === p.id ? { ...x, evidence: x.evidence.filter((v) => v.sha256 !== u.sha256) } : x)))}
                    >
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {p.claims.map((c, j) => {
              const id = `req-${p.id}-${j}`;
              const wrong = here('claim', i, j);
              return (
                <div class="claim" key={j} data-testid={`claim-${p.id}-${j}`}>
                  <div>
                    <label for={`${id}-field`}>Figure</label>
                    <select id={`${id}-field`} value={c.field} aria-invalid={(wrong && at.part === 'field') || undefined} onChange={(e) => setClaim(i, j, { field: (e.target as HTMLSelectElement).value })}>
                      {['first', 'final', 'delegates'].map((x) => (
                        <option key={x} value={x}>
                          {fieldLabel(x)}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div>
                    <label for={`${id}-candidate`}>Candidate</label>
                    <select id={`${id}-candidate`} value={c.candidate} aria-invalid={(wrong && at.part === 'candidate') || undefined} onChange={(e) => setClaim(i, j, { candidate: (e.target as HTMLSelectElement).value })}>
                      {candidates.map((x) => (
                        <option key={x} value={x}>
                          {x}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div>
                    <label for={`${id}-reported`}>Reported</label>
                    <input id={`${id}-reported`} type="number" inputMode="numeric" min={0} step={1} value={c.reported} aria-invalid={(wrong && at.part === 'reported') || undefined} onInput={(e) => setClaim(i, j, { reported: (e.target as HTMLInputElement).value })} />
                  </div>
                  <div>
                    <label for={`${id}-claimed`}>Claimed</label>
                    <input id={`${id}-claimed`} type="number" inputMode="numeric" min={0} step={1} value={c.claimed} aria-invalid={(wrong && at.part !== 'field' && at.part !== 'candidate' && at.part !== 'reported') || undefined} onInput={(e) => setClaim(i, j, { claimed: (e.target as HTMLInputElement).value })} />
                  </div>
                  <button type="button" class="link" onClick={() => update(i, (x) => ({ ...x, claims: x.claims.filter((_, k) => k !== j) }))}>
                    Remove this claim
                  </button>
                  {wrong && <RefusalText r={refusal!} />}
                </div>
              );
            })}
            {here('claims', i) && <RefusalText r={refusal!} />}
            <div class="actions">
              <button
                type="button"
                disabled={candidates.length === 0}
                onClick={() =>
                  update(i, (x) => {
                    const candidate = candidates[0] ?? '';
                    return { ...x, claims: [...x.claims, { field: 'final', candidate, reported: reportedFigure(x.record, 'final', candidate), claimed: '' }] };
                  })
                }
              >
                Add a claimed figure
              </button>
              <button type="button" onClick={() => setPicks((all) => all.filter((_, k) => k !== i))}>
                Remove this precinct
              </button>
            </div>
          </fieldset>
        ))}
        <button type="submit" class="primary" disabled={busy}>
          Send the {kind} request
        </button>
        {refusal && at.at === 'form' && <RefusalText r={refusal} />}
        {refusal && at.at !== 'form' && (
          <Alert kind="error">
            <span data-testid="request-refused">Refused: {refusal.message}</span>
          </Alert>
        )}
        {filed && (
          <Alert kind="ok">
            <span data-testid="request-filed" data-seq={filed.seq}>
              Request filed at ledger event {filed.seq}.
            </span>{' '}
            <a href="#/audit">The public audit page</a> follows it.
          </Alert>
        )}
      </form>
    </section>
  );
}

// The campaign's own requests as the public record has them: each precinct's decision, the cost
// the party stated with Accept / Decline while it awaits the answer (POST .../costs), when and
// where the packet is opened, and what its recanvass found and corrected (the whole record is on
// the audit page).
function MyRequests(props: { session: Session }) {
  const audit = useLiveJson<AuditRecord>('/api/v1/audit');
  const mine = (audit.body?.requests ?? []).filter((r) => r.requester === props.session.subject);
  return (
    <section class="card" aria-labelledby="myreq-h">
      <h2 id="myreq-h">Your requests ({mine.length})</h2>
      {mine.length === 0 ? (
        <p class="muted">You have filed no recanvass or recount request.</p>
      ) : (
        <ul class="precinct-list">
          {[...mine].reverse().map((r) => (
            <li key={r.seq} data-testid={`my-request-${r.seq}`}>
              {r.kind === 'recount' ? 'Recount' : 'Recanvass'} filed at ledger event {r.seq}: {r.reason}
              <ul>
                {r.precincts.map((p) => {
                  const last = p.entries[p.entries.length - 1];
                  return (
                    <li key={p.precinct} data-testid={`my-request-${r.seq}-${p.precinct}`}>
                      <a href={`#/precinct/${p.precinct}`}>
                        {p.county} / {p.name}
                      </a>
                      :{' '}
                      {p.decision === null ? 'awaiting the party' : p.decision.decision === 'accepted' ? 'accepted' : `refused (${p.decision.reason})`}
                      {last && (last.agrees ? '; the worksheet agrees with the report' : `; found ${last.layers.map((l) => l.layer).join(', ')}`)}
                      {last?.correction?.seq ? `; corrected at ledger event ${last.correction.seq}` : ''}
                      {p.costs && (
                        <>
                          ; <CostsText costs={p.costs} testid={`my-costs-${r.seq}-${p.precinct}`} />
                          {/* Past its deadline an answer is refused: the precinct is closed. */}
                          {p.costs.answer === null && Date.now() <= Date.parse(p.costs.due) && (
                            <AnswerCosts r={r} p={p} token={props.session.token} onDone={audit.reload} />
                          )}
                        </>
                      )}
                      {p.schedule && p.entries.length === 0 && (
                        <>
                          ; <ScheduleText schedule={p.schedule} testid={`my-schedule-${r.seq}-${p.precinct}`} />
                        </>
                      )}
                    </li>
                  );
                })}
              </ul>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="#/audit">Every request on the public audit page</a>
      </p>
    </section>
  );
}

// Accept or decline the cost the party stated for one precinct. Declining closes the precinct
// without an entry, so it asks once more before sending.
function AnswerCosts(props: { r: ReviewRequest; p: ReviewPrecinct; token: string; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [confirmDecline, setConfirmDecline] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const id = `costs-${props.r.seq}-${props.p.precinct}`;
  const send = async (accepted: boolean) => {
    setBusy(true);
    setRefusal(null);
    try {
      await call('POST', `/api/v1/reviews/${props.r.seq}/costs`, {
        token: props.token,
        body: { submission: newSubmissionId(), precinct: props.p.precinct, accepted },
      });
      setConfirmDecline(false);
      props.onDone();
    } catch (err) {
      setRefusal(err instanceof ApiError ? { code: err.code, message: err.message, field: err.field } : { code: 'network', message: describeError(err), field: null });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="actions" data-testid={id}>
      {confirmDecline ? (
        <>
          <span>Declining closes this precinct without a {props.r.kind}.</span>
          <button type="button" disabled={busy} onClick={() => void send(false)}>
            Decline the cost of {props.p.costs?.amount}
          </button>
          <button type="button" class="link" disabled={busy} onClick={() => setConfirmDecline(false)}>
            Keep it open
          </button>
        </>
      ) : (
        <>
          <button type="button" class="primary" disabled={busy} onClick={() => void send(true)}>
            Accept the cost of {props.p.costs?.amount}
          </button>
          <button type="button" disabled={busy} onClick={() => setConfirmDecline(true)}>
            Decline
          </button>
        </>
      )}
      {refusal && <RefusalText r={refusal} />}
    </div>
  );
}
