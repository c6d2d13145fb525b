// What the staff pages (hotline operator, administrator) do to one precinct beyond entering its
// figures: show it as the server has it (status, the worksheet the rules compute, the findings),
// settle a tie, attach the worksheet photo and confirm. The API lets operators and administrators
// do these for any precinct (docs/api.md, "Writing"). Display only: every number is the server's.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, describeError, get, newSubmissionId, type Precinct, type WriteAnswer } from './api';
import { Alert, StatusBadge } from './ui';
import { Worksheet } from './worksheet';
import { EarlyVotesPanel } from './early';

// A campaign's verdict, as GET /api/v1/attestations lists it.
export interface AttestationRow {
  precinct: number;
  county: string;
  name: string;
  seq: number;
  campaign: string;
  verdict: string;
  reason: string;
  revision: number;
  current_revision: number;
  standing: boolean; // the campaign's latest verdict on the precinct's current revision
}

export async function loadAttestations(campaign?: string): Promise<AttestationRow[]> {
  const q = campaign ? `?campaign=${encodeURIComponent(campaign)}` : '';
  return (await get<{ attestations: AttestationRow[] }>(`/api/v1/attestations${q}`)).attestations;
}

// "1 error finding", "2 error findings and 1 warning".
export function findingsSummary(p: Precinct): string {
  const errors = p.findings.filter((f) => f.severity === 'error').length;
  const others = p.findings.length - errors;
  const parts: string[] = [];
  if (errors) parts.push(`${errors} error finding${errors === 1 ? '' : 's'}`);
  if (others) parts.push(`${others} warning${others === 1 ? '' : 's'}`);
  return parts.join(' and ');
}

// One precinct for a staff member: its state, worksheet and findings, and the steps left to
// finish it (tie, photo, confirmation). `version` changes when the caller knows the precinct
// changed (a hotline entry was accepted), so it is read again.
export function PrecinctDesk(props: { id: number; token: string; candidates: string[]; version?: number; onChange?: () => void }) {
  const [p, setP] = useState<Precinct | null>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [acknowledged, setAcknowledged] = useState(false);
  const load = () =>
    get<Precinct>(`/api/v1/precincts/${props.id}`).then(
      (x) => {
        setP(x);
        setError('');
      },
      (e) => setError(describeError(e)),
    );
  useEffect(() => {
    setP(null);
    setDone('');
    setAcknowledged(false);
    void load();
  }, [props.id, props.version]);
  if (!p) return error ? <Alert kind="error">{error}</Alert> : <p class="muted">Loading the precinct…</p>;
  const after = (text: string) => (a: WriteAnswer) => {
    setDone(text);
    setError('');
    if (a.precinct) setP({ ...a.precinct, events: p.events });
    props.onChange?.();
  };
  const fail = (e: unknown) => {
    setDone('');
    setError(describeError(e));
    if (e instanceof ApiError && e.status === 409) void load();
  };
  const summary = findingsSummary(p);
  // A report with error findings is confirmed as it stands only acknowledging each of them.
  const errorCodes = [...new Set(p.findings.filter((f) => f.severity === 'error').map((f) => f.code))];
  return (
    <section class="card precinct-desk" aria-labelledby={`desk-h-${p.id}`} data-testid="precinct-desk" data-precinct={p.id}>
      <h2 id={`desk-h-${p.id}`}>
        {p.id}: {p.county} / {p.precinct}
      </h2>
      <p>
        <StatusBadge status={p.status} /> <span data-testid="desk-status">{p.status}</span> · revision {p.revision}
        {p.channel ? ` · channel ${p.channel}` : ''} · {p.delegates ?? '–'} delegates
        {p.disputed && <span class="tag warn">disputed</span>}
      </p>
      {summary && (
        <Alert kind={p.findings.some((f) => f.severity === 'error') ? 'error' : 'warn'}>
          <span data-testid="desk-findings-summary">
            The rules find {summary} in this report: read them below with the caller before confirming.
          </span>
        </Alert>
      )}
      {p.viability ? <Worksheet precinct={p} candidates={props.candidates} /> : <p class="muted">Nothing recorded yet.</p>}
      <EarlyVotesPanel precinct={p} testid="dev" />
      {p.status === 'tie-pending' && p.ties.pending && (
        <TieForm precinct={p} onSend={(tied, favoured, detail) =>
          call<WriteAnswer>('POST', `/api/v1/precincts/${p.id}/ties`, {
            token: props.token,
            body: { submission: newSubmissionId(), tied, favoured, detail },
          }).then((r) => after('Tie outcome recorded.')(r.body), fail)
        } />
      )}
      {p.status === 'must-realign' && (
        <Alert kind="warn">
          More groups are viable than there are delegates: the smallest group must realign. The chair or an
          administrator sends a correction with the new final alignment.
        </Alert>
      )}
      {p.reported.final && <PhotoForm precinct={p} token={props.token} onDone={after('Photo received.')} onError={fail} />}
      {p.status === 'final-reported' && (
        <div class="confirm-step">
          <h3>Confirm</h3>
          <p>
            Read the figures and findings back to the caller. Confirming tells the party that revision {p.revision} is final.
          </p>
          {errorCodes.length > 0 && (
            <label class="check">
              <input type="checkbox" checked={acknowledged} onChange={(e) => setAcknowledged((e.target as HTMLInputElement).checked)} />{' '}
              The caller checked the paper worksheet: confirm it as it stands, with {errorCodes.join(', ')}
            </label>
          )}
          <button
            type="button"
            class="primary"
            disabled={errorCodes.length > 0 && !acknowledged}
            onClick={() =>
              call<WriteAnswer>('POST', `/api/v1/precincts/${p.id}/confirm`, {
                token: props.token,
                body: { submission: newSubmissionId(), revision: p.revision, ...(errorCodes.length > 0 ? { acknowledged: errorCodes } : {}) },
              }).then((r) => after('Report confirmed.')(r.body), fail)
            }
          >
            Confirm revision {p.revision}
          </button>
        </div>
      )}
      {p.status === 'confirmed' && <p data-testid="desk-confirmed">Confirmed (revision {p.revision}).</p>}
      {done && (
        <Alert kind="ok">
          <span data-testid="desk-done">{done}</span>
        </Alert>
      )}
      {error && <Alert kind="error">{error}</Alert>}
      <p>
        <a href={`#/precinct/${p.id}`}>The precinct's public page</a>
      </p>
    </section>
  );
}

function TieForm(props: { precinct: Precinct; onSend: (tied: string[], favoured: string[], detail: string) => Promise<unknown> }) {
  const tie = props.precinct.ties.pending!;
  const [favoured, setFavoured] = useState<string[]>([]);
  const [detail, setDetail] = useState('');
  const [busy, setBusy] = useState(false);
  const need = tie.kind === 'loss' ? tie.candidates.length - tie.delegates_at_stake : tie.delegates_at_stake;
  const ok = favoured.length === need && detail.trim().length > 0;
  const id = `staff-tie-${props.precinct.id}`;
  return (
    <div class="tie">
      <h3>Settle the tie</h3>
      <p>
        {tie.candidates.join(' and ')} tie on the decimal {tie.decimal}:{' '}
        {tie.kind === 'loss' ? `${tie.delegates_at_stake} of them lose a delegate` : `${tie.delegates_at_stake} of them gain a delegate`}.
        Ask the caller who the {tie.breaker} favoured ({need} {tie.kind === 'loss' ? 'keep their delegate' : 'gain the delegate'}).
      </p>
      <fieldset>
        <legend>Favoured by the {tie.breaker}</legend>
        {tie.candidates.map((c) => (
          <label class="check" key={c}>
            <input
              type="checkbox"
              value={c}
              checked={favoured.includes(c)}
              onChange={(e) => setFavoured((e.target as HTMLInputElement).checked ? [...favoured, c] : favoured.filter((x) => x !== c))}
            />{' '}
            {c}
          </label>
        ))}
      </fieldset>
      <label for={id}>What happened (who called what, the result)</label>
      <input id={id} value={detail} placeholder="Sanders called heads; heads" onInput={(e) => setDetail((e.target as HTMLInputElement).value)} />
      <button
        type="button"
        class="primary"
        disabled={!ok || busy}
        onClick={() => {
          setBusy(true);
          void props.onSend(tie.candidates, favoured, detail.trim()).finally(() => setBusy(false));
        }}
      >
        Record the tie outcome
      </button>
    </div>
  );
}

function PhotoForm(props: { precinct: Precinct; token: string; onDone: (a: WriteAnswer) => void; onError: (e: unknown) => void }) {
  const [busy, setBusy] = useState(false);
  const id = `staff-photo-${props.precinct.id}`;
  const onFile = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    try {
      const r = await call<WriteAnswer>('POST', `/api/v1/precincts/${props.precinct.id}/photo`, {
        token: props.token,
        raw: file,
        // No submission id: the server names it by the photo's hash, so sending it twice is a retry.
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
      });
      props.onDone(r.body);
    } catch (err) {
      props.onError(err);
    } finally {
      setBusy(false);
      input.value = '';
    }
  };
  const n = props.precinct.photos.length;
  return (
    <div class="photo-step">
      <h3>Worksheet photo</h3>
      <label for={id}>Attach the photo of the signed worksheet the chair sent</label>
      <input id={id} type="file" accept="image/*" onChange={onFile} disabled={busy} />
      <p data-testid="desk-photos">{n === 0 ? 'No photo yet.' : `${n} photo${n === 1 ? '' : 's'} received.`}</p>
    </div>
  );
}
