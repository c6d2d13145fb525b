// The anomaly gate on the administrator's page (GET and POST /api/v1/holds, docs/audit.md
// "Anomaly gate"): the precincts the next release holds back, each with the check that failed,
// its score, threshold and what it saw, and a form to publish one as reported with a reason; then
// the overrides in force. The server runs the checks; the page shows its strings as they come.
import { useState } from 'preact/hooks';
import { call, newSubmissionId, type WriteAnswer } from './api';
import { Seq, useLiveJson } from './reviews';
import { Alert, RefusalText, refusalOf, type Refusal } from './ui';

export interface Hold {
  precinct: number;
  county: string;
  name: string;
  revision: number;
  check: string; // "duplicate" or "column-shift"
  score: string; // "80 attendees", "4376.54 nats"
  threshold: string;
  detail: string;
  override?: { seq: number; time: string; by: string; reason: string };
}

export interface Holds {
  ledger_seq: number;
  held: Hold[];
  overrides: Hold[];
}

const PATH = '/api/v1/holds';
// A hold arises or ends with a precinct's figures (a report, a correction, the hotline's second
// agreeing entry) or with an override.
const EVENTS = ['first-alignment-reported', 'final-alignment-reported', 'report-corrected', 'hotline-entry', 'anomaly-override'];

export function useHolds(token: string) {
  return useLiveJson<Holds>(PATH, (b) => b.ledger_seq, { token, events: EVENTS });
}

const CHECKS: Record<string, string> = {
  duplicate: 'the same figures as another precinct',
  'column-shift': 'figures that read as shifted one column',
};

const keyOf = (h: Hold) => `${h.precinct}-${h.check}`;

// What an administrator has typed for one hold, kept above the forms so that neither a refusal
// nor a refresh of the queue loses it. `revision` is the one shown when the reason was begun: it
// is the revision sent, so that a report corrected meanwhile is refused as stale, not overridden
// unread.
interface Draft {
  reason: string;
  revision: number | null;
}

function HoldFacts(props: { h: Hold }) {
  const h = props.h;
  return (
    <dl class="sheet">
      <dt>Revision</dt>
      <dd data-col="revision">{h.revision}</dd>
      <dt>Check</dt>
      <dd>
        <span data-col="check">{h.check}</span> <span class="muted">({CHECKS[h.check] ?? 'a statistical check'})</span>
      </dd>
      <dt>Score</dt>
      <dd data-col="score">{h.score}</dd>
      <dt>Threshold</dt>
      <dd data-col="threshold">{h.threshold}</dd>
      <dt>What it saw</dt>
      <dd data-col="detail">{h.detail}</dd>
    </dl>
  );
}

function HoldHead(props: { h: Hold }) {
  const h = props.h;
  return (
    <h4>
      <a href={`#/precinct/${h.precinct}`} data-col="precinct">
        {h.county} / {h.name}
      </a>{' '}
      <span class="muted">(precinct {h.precinct})</span>
    </h4>
  );
}

// The section of #/admin. `holds` is the page's one live reading of GET /api/v1/holds, which the
// "needs action" list counts too.
const HOLDS_SHOWN = 2;

export function HoldsDesk(props: { token: string; holds: ReturnType<typeof useHolds> }) {
  const { body, error, reload } = props.holds;
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [done, setDone] = useState('');
  // A few holds at a time: the page stays short enough to scan on a phone.
  const [shown, setShown] = useState(HOLDS_SHOWN);
  const setDraft = (key: string, next: Draft | null) =>
    setDrafts((all) => {
      const out = { ...all };
      if (next) out[key] = next;
      else delete out[key];
      return out;
    });
  return (
    <section class="card" aria-labelledby="holds-h" data-testid="holds">
      <h2 id="holds-h">Held from the next release ({body?.held.length ?? '…'})</h2>
      {error && <Alert kind="error">{error}</Alert>}
      <p class="muted">
        A precinct whose current report fails the duplicate or the column-shift check stays out of every figure of the next release until a
        correction passes the check or an administrator publishes that revision as reported, saying why.
        {body && (
          <>
            {' '}
            As of ledger position <span data-testid="holds-ledger-seq">{body.ledger_seq}</span>.
          </>
        )}
      </p>
      {done && (
        <Alert kind="ok">
          <span data-testid="holds-done">{done}</span>
        </Alert>
      )}
      {!body ? (
        !error && <p class="muted">Loading…</p>
      ) : body.held.length === 0 ? (
        <p data-testid="holds-none">Nothing is held: every reported precinct passes the checks, or is published as reported by an override below.</p>
      ) : (
        body.held.slice(0, shown).map((h) => (
          <OverrideForm
            key={keyOf(h)}
            h={h}
            token={props.token}
            draft={drafts[keyOf(h)] ?? { reason: '', revision: null }}
            onDraft={(d) => setDraft(keyOf(h), d)}
            onDone={(text) => {
              setDraft(keyOf(h), null);
              setDone(text);
              reload();
            }}
            reload={reload}
          />
        ))
      )}
      {body && body.held.length > shown && (
        <button type="button" data-testid="holds-more" onClick={() => setShown((n) => n + HOLDS_SHOWN)}>
          Show more ({body.held.length - shown} not shown)
        </button>
      )}
      <h3>Published as reported by an override ({body?.overrides.length ?? '…'})</h3>
      {body && body.overrides.length === 0 && <p class="muted">No override is in force.</p>}
      {body && body.overrides.length > 0 && (
        <div data-testid="overrides">
          {body.overrides.map((h) => (
            <div key={keyOf(h)} class="review-precinct" data-precinct={h.precinct} data-check={h.check}>
              <HoldHead h={h} />
              <HoldFacts h={h} />
              {h.override && (
                <p data-col="override">
                  Published as reported by <strong data-col="by">{h.override.by}</strong> at ledger event <Seq seq={h.override.seq} /> (
                  <span data-col="time">{h.override.time}</span>): <span data-col="reason">{h.override.reason}</span>
                </p>
              )}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

function OverrideForm(props: {
  h: Hold;
  token: string;
  draft: Draft;
  onDraft: (d: Draft) => void;
  onDone: (text: string) => void;
  reload: () => void;
}) {
  const { h, draft } = props;
  const [msg, setMsg] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `hold-${h.precinct}-${h.check}`;
  const revision = draft.revision ?? h.revision;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    try {
      const r = await call<WriteAnswer>('POST', PATH, {
        token: props.token,
        body: { submission: newSubmissionId(), precinct: h.precinct, check: h.check, reason: draft.reason, revision },
      });
      const seq = r.body.receipt?.seq;
      props.onDone(`${h.county} / ${h.name}, revision ${revision}, is published as reported${seq ? ` (ledger event ${seq})` : ''}.`);
    } catch (err) {
      const refusal = refusalOf(err);
      setMsg(refusal);
      // The reason stays; the next try is for the revision now shown.
      if (refusal.code === 'stale-revision') {
        props.onDraft({ ...draft, revision: null });
        props.reload();
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="review-precinct" data-testid={id} data-precinct={h.precinct} data-check={h.check} onSubmit={submit}>
      <HoldHead h={h} />
      <HoldFacts h={h} />
      {draft.revision !== null && draft.revision !== h.revision && (
        <Alert kind="warn">
          The reason was begun on revision {draft.revision}; the precinct is now at revision {h.revision}. Read its figures again: the override
          is sent for revision {draft.revision} and refused if that is not the current one.
        </Alert>
      )}
      <label for={`${id}-reason`}>Why the figures stand as reported (required), e.g. “the worksheet is the legal record”</label>
      <input
        id={`${id}-reason`}
        value={draft.reason}
        aria-invalid={msg?.field === 'reason' || undefined}
        onInput={(e) => props.onDraft({ reason: (e.target as HTMLInputElement).value, revision: draft.revision ?? h.revision })}
      />
      <RefusalText msg={msg} testid={`${id}-refusal`} />
      <button type="submit" class="primary" disabled={busy}>
        Publish revision {revision} as reported
      </button>
    </form>
  );
}
