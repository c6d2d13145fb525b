// The precinct chair's page, for a phone: log in with the packet's code, see the precinct's
// facts, fill in the worksheet while the server (the same engine as the intake) computes it as
// you type, send the first and final alignments, settle a tie, attach the worksheet photo,
// review and confirm. Every write goes through the outbox (queue.ts), so a lost network loses
// nothing and sends nothing twice. Before the night, the worksheet can be sent as a practice
// report (it never counts; the party sees that the chair's phone works).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  call,
  describeError,
  get,
  newSubmissionId,
  percentOf,
  type Election,
  type Finding,
  type Precinct,
  type Session,
} from '../api';
import { discard, enqueue, flush, isOnline, outbox, subscribe, type Delivered, type Outgoing } from '../queue';
import { Alert, FigureInputs, Login, LogoutBar, StatusBadge, toFigures, useSession } from '../ui';
import { Worksheet } from '../worksheet';
import { EarlyVotesPanel, earlyVotesOf } from '../early';

type Values = Record<string, string>;

function draftKey(id: number) {
  return `canvass.draft.${id}`;
}

function loadDraft(id: number): { first: Values; final: Values; delegates: Values } {
  try {
    const d = JSON.parse(localStorage.getItem(draftKey(id)) ?? 'null');
    if (d && typeof d === 'object') return { first: d.first ?? {}, final: d.final ?? {}, delegates: d.delegates ?? {} };
  } catch {
    /* a broken draft is dropped */
  }
  return { first: {}, final: {}, delegates: {} };
}

function fromFigures(f: Record<string, number> | undefined): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(f ?? {})) out[k] = String(v);
  return out;
}

export function ChairPage() {
  const [session, setSession] = useSession('chair');
  if (!session) return <Login role="chair" title="Precinct chair: log in" onSession={setSession} />;
  return <ChairDesk session={session} onLogout={() => setSession(null)} />;
}

function useOutbox(): Outgoing[] {
  const [items, setItems] = useState<Outgoing[]>(outbox);
  useEffect(() => subscribe(() => setItems(outbox())), []);
  return items;
}

function OutboxState(props: { items: Outgoing[] }) {
  const waiting = props.items.filter((o) => !o.error);
  const refused = props.items.filter((o) => o.error);
  return (
    <section class="card outbox" aria-live="polite" data-testid="outbox">
      <h2>Sending</h2>
      {waiting.length === 0 && refused.length === 0 && (
        <p class="muted" data-outbox="empty">
          Nothing waiting: everything you sent has been received.
        </p>
      )}
      {waiting.length > 0 && (
        <Alert kind="warn">
          <span data-outbox="waiting">
            {waiting.length} waiting to be sent{isOnline() ? '' : ' (no network: kept on this phone, sent when the network returns)'}
          </span>
          <ul>
            {waiting.map((o) => (
              <li key={o.submission}>
                {o.label} <span class="muted">(tries: {o.attempts})</span>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => void flush()}>
            Send now
          </button>
        </Alert>
      )}
      {refused.map((o) => (
        <Alert kind="error" key={o.submission}>
          {o.label} was refused: {o.error}{' '}
          <button type="button" class="link" onClick={() => discard(o.submission)}>
            Dismiss
          </button>
        </Alert>
      ))}
    </section>
  );
}

function ChairDesk(props: { session: Session; onLogout: () => void }) {
  const id = Number(props.session.subject);
  const token = props.session.token;
  const [election, setElection] = useState<Election | null>(null);
  const [precinct, setPrecinct] = useState<Precinct | null>(props.session.precinct ?? null);
  const [loadError, setLoadError] = useState('');
  const draft = useMemo(() => loadDraft(id), [id]);
  const [first, setFirst] = useState<Values>(draft.first);
  const [final, setFinal] = useState<Values>(draft.final);
  const [delegates, setDelegates] = useState<Values>(draft.delegates);
  const [preview, setPreview] = useState<Precinct | null>(null);
  const [previewError, setPreviewError] = useState('');
  const [previewBusy, setPreviewBusy] = useState(false);
  const [reviewing, setReviewing] = useState<'first' | 'final' | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [practiceBusy, setPracticeBusy] = useState(false);
  const [copyNote, setCopyNote] = useState('');
  const [correcting, setCorrecting] = useState(false);
  const [acknowledged, setAcknowledged] = useState(false);
  const items = useOutbox();
  const mine = items.filter((o) => o.path.startsWith(`/api/v1/precincts/${id}/`));

  const refresh = async () => {
    try {
      setPrecinct(await get<Precinct>(`/api/v1/precincts/${id}`));
      setLoadError('');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) props.onLogout();
      setLoadError(describeError(e));
    }
  };

  useEffect(() => {
    get<Election>('/api/v1/election').then(setElection, (e) => setLoadError(describeError(e)));
    void refresh();
  }, [id]);

  useEffect(
    () =>
      subscribe((d?: Delivered) => {
        if (!d || !d.item.path.startsWith(`/api/v1/precincts/${id}/`)) return;
        if (d.error) {
          setNotice({ kind: 'error', text: `${d.item.label} was refused: ${d.error.message}` });
          return;
        }
        if (d.answer?.precinct) setPrecinct(d.answer.precinct);
        const seq = d.answer?.receipt?.seq;
        setNotice({
          kind: 'ok',
          text: `${d.item.label}: received${seq ? ` and recorded at ledger position ${seq}` : ''}${d.status === 200 ? ' (it had already arrived)' : ''}.`,
        });
      }),
    [id],
  );

  useEffect(() => {
    localStorage.setItem(draftKey(id), JSON.stringify({ first, final, delegates }));
  }, [id, first, final, delegates]);

  const firstOnServer = !!precinct?.reported.first;
  const finalOnServer = !!precinct?.reported.final;
  const queued = (kind: string) => mine.some((o) => !o.error && o.path.endsWith(`/${kind}`));
  const firstDone = firstOnServer || queued('first');
  const finalDone = finalOnServer || queued('final');

  // When the first alignment is in (or waiting to be sent) and the final boxes are empty, start
  // them from it: most groups do not change.
  useEffect(() => {
    if (firstDone && Object.keys(toFigures(final)).length === 0) {
      setFinal(precinct?.reported.first ? fromFigures(precinct.reported.first) : { ...first });
    }
  }, [firstDone, firstOnServer]);

  // The worksheet as the rules compute it, from the server, as the chair types (debounced).
  const previewSeq = useRef(0);
  useEffect(() => {
    const body: Record<string, unknown> = {};
    const f = toFigures(first);
    if (!finalDone) {
      if (!firstOnServer) {
        if (Object.keys(f).length === 0) {
          setPreview(null);
          setPreviewError('');
          return;
        }
        body['first'] = f;
      }
      if (firstDone) {
        body['final'] = toFigures(final);
        const d = toFigures(delegates);
        if (Object.keys(d).length > 0) body['delegates'] = d;
      }
    }
    if (Object.keys(body).length === 0) {
      setPreview(null);
      setPreviewError('');
      return;
    }
    const n = ++previewSeq.current;
    setPreviewBusy(true);
    const timer = window.setTimeout(async () => {
      try {
        const { body: p } = await call<Precinct>('POST', `/api/v1/precincts/${id}/preview`, { token, body });
        if (n !== previewSeq.current) return;
        setPreview(p);
        setPreviewError('');
      } catch (e) {
        if (n !== previewSeq.current) return;
        setPreviewError(describeError(e));
      } finally {
        if (n === previewSeq.current) setPreviewBusy(false);
      }
    }, 350);
    return () => window.clearTimeout(timer);
  }, [first, final, delegates, firstDone, finalDone, firstOnServer]);

  if (!election || !precinct) {
    return (
      <div>
        <LogoutBar session={props.session} onLogout={props.onLogout} />
        {loadError ? <Alert kind="error">{loadError}</Alert> : <p>Loading your precinct…</p>}
      </div>
    );
  }
  const candidates = election.candidates;
  const label = (what: string) => `${what} for ${precinct.county} / ${precinct.precinct}`;
  // Nevada's early-vote cards: the chair counts the room; the server adds the cards.
  const early = earlyVotesOf(precinct);
  const inRoom = early ? ' in the room' : '';
  const errors = precinct.findings.filter((f) => f.severity === 'error');
  // A correction is offered once the server has the report and nothing of it is waiting to be
  // sent (a correction names the revision it changes only by coming after it).
  const busyHere = mine.some((o) => !o.error);

  // The tie the final alignment leads to, while it is open: its groups' delegates are not known
  // before the game of chance.
  const openTie = preview?.computed?.pending_tie ?? null;
  const tiedBlank = !!openTie && openTie.candidates.some((c) => (delegates[c] ?? '').trim() === '');
  const finalEmpty = Object.keys(toFigures(final)).length === 0;
  const finalBody = () => {
    const body: Record<string, unknown> = { final: toFigures(final) };
    const d = toFigures(delegates);
    if (Object.keys(d).length > 0 && !tiedBlank) body['delegates'] = d;
    return body;
  };

  const send = (kind: 'first' | 'final') => {
    const body = kind === 'first' ? { first: toFigures(first) } : finalBody();
    enqueue({
      label: label(kind === 'first' ? 'First alignment' : 'Final alignment'),
      method: 'POST',
      path: `/api/v1/precincts/${id}/${kind}`,
      token,
      body,
    });
    setReviewing(null);
    setNotice(null);
  };

  const shown = preview ?? (finalDone || firstOnServer ? precinct : null);

  // A practice report: the worksheet as typed, to /practice instead of /first. Sent at once (not
  // through the outbox): it counts for nothing but readiness.
  const sendPractice = async () => {
    setPracticeBusy(true);
    try {
      const { body } = await call<Precinct & { receipt?: { seq: number }; practice?: { reports: number } }>(
        'POST',
        `/api/v1/precincts/${id}/practice`,
        { token, body: { submission: newSubmissionId(), first: toFigures(first) } },
      );
      setPreview(body);
      setNotice({
        kind: 'ok',
        text: `Practice report received${body.receipt ? ` (ledger position ${body.receipt.seq})` : ''}: your phone is ready. It does not count; on the night, send the real figures.`,
      });
    } catch (e) {
      setNotice({ kind: 'error', text: `The practice report was not received: ${describeError(e)}` });
    } finally {
      setPracticeBusy(false);
    }
  };

  return (
    <div class="chair">
      <LogoutBar session={props.session} onLogout={props.onLogout} />
      <section class="card facts" aria-labelledby="facts-h">
        <h2 id="facts-h">
          {precinct.county} / {precinct.precinct}
        </h2>
        <dl class="facts-list">
          <div>
            <dt>Delegates to elect</dt>
            <dd data-testid="fact-delegates">{precinct.satellite ? 'by attendance (satellite)' : precinct.delegates ?? '–'}</dd>
          </div>
          <div>
            <dt>Viability threshold</dt>
            <dd data-testid="fact-threshold">{percentOf(precinct.threshold)} of attendance</dd>
          </div>
          {early && (
            <div>
              <dt>Early-vote cards</dt>
              <dd data-testid="fact-early">
                {early.valid} valid, {early.void} void
              </dd>
            </div>
          )}
          <div>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={precinct.status} />
            </dd>
          </div>
          <div>
            <dt>Revision</dt>
            <dd>{precinct.revision}</dd>
          </div>
        </dl>
      </section>

      {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
      <OutboxState items={mine} />

      {!firstDone && (
        <section class="card" aria-labelledby="first-h">
          <h2 id="first-h">1. First alignment</h2>
          <p class="muted">
            Count each preference group{inRoom}. Empty boxes count 0.
            {early && ` The ${early.valid} valid early-vote cards are added by the server: see them below.`}
          </p>
          {early && !preview && <EarlyVotesPanel precinct={precinct} testid="ev0" />}
          <FigureInputs
            idPrefix="first"
            legend={`People${inRoom} in each group at the first alignment`}
            candidates={candidates}
            values={first}
            onChange={(c, v) => setFirst({ ...first, [c]: v })}
          />
          {reviewing === 'first' ? (
            <Review
              title="Send this first alignment?"
              figures={toFigures(first)}
              onSend={() => send('first')}
              onBack={() => setReviewing(null)}
            />
          ) : (
            <button type="button" class="primary" disabled={!!previewError || Object.keys(toFigures(first)).length === 0} onClick={() => setReviewing('first')}>
              Review first alignment
            </button>
          )}
        </section>
      )}

      {firstDone && !finalDone && (
        <section class="card" aria-labelledby="final-h">
          <h2 id="final-h">2. Final alignment</h2>
          <p class="muted">After realignment: the people in each group, and the delegates your worksheet gives each group.</p>
          <div class="two-col">
            <FigureInputs
              idPrefix="final"
              legend={`People${inRoom} in each group at the final alignment`}
              candidates={candidates}
              values={final}
              onChange={(c, v) => setFinal({ ...final, [c]: v })}
            />
            <FigureInputs
              idPrefix="delegates"
              legend="Delegates on your worksheet"
              candidates={candidates}
              values={delegates}
              onChange={(c, v) => setDelegates({ ...delegates, [c]: v })}
            />
          </div>
          {preview?.computed && preview.computed.must_realign.length === 0 && !previewBusy && (
            <button
              type="button"
              onClick={() => {
                // Only a complete allocation is copied: while a tie is open, the tied groups'
                // boxes stay blank (their delegates are decided by the game of chance).
                const c = preview.computed;
                const tie = c?.pending_tie ?? null;
                const d: Values = {};
                for (const g of c?.groups ?? []) {
                  if (tie && tie.candidates.includes(g.candidate)) continue;
                  if (g.delegates) d[g.candidate] = String(g.delegates);
                }
                setDelegates(d);
                setCopyNote(
                  tie
                    ? `${tie.candidates.join(', ')} are tied: the ${tie.breaker} decides their delegates, so their boxes are left blank. Send the final alignment, hold the ${tie.breaker}, then enter their delegates with its outcome.`
                    : '',
                );
              }}
            >
              {openTie ? 'Copy the delegates that are decided' : 'Copy the computed delegates'}
            </button>
          )}
          {copyNote && openTie && (
            <p class="muted" data-testid="copy-note">
              {copyNote}
            </p>
          )}
          {finalEmpty && (
            <Alert kind="warn">
              <span data-testid="final-empty">
                The final alignment counts nobody: enter the people in each group after realignment.
              </span>
            </Alert>
          )}
          {reviewing === 'final' && !finalEmpty ? (
            <Review
              title="Send this final alignment?"
              figures={toFigures(final)}
              delegates={(finalBody()['delegates'] as Record<string, number> | undefined) ?? {}}
              findings={preview?.findings ?? []}
              note={
                openTie
                  ? tiedBlank
                    ? `A tie is open between ${openTie.candidates.join(', ')}: the worksheet's delegates are sent with the ${openTie.breaker}'s outcome, not now.`
                    : `A tie is open between ${openTie.candidates.join(', ')}: the ${openTie.breaker} comes next.`
                  : undefined
              }
              onSend={() => send('final')}
              onBack={() => setReviewing(null)}
            />
          ) : (
            <button type="button" class="primary" disabled={!!previewError || finalEmpty || previewBusy} onClick={() => setReviewing('final')}>
              Review final alignment
            </button>
          )}
        </section>
      )}

      {(shown || previewError || previewBusy) && (
        <section class="card worksheet-card" aria-labelledby="ws-h" aria-live="polite" aria-busy={previewBusy}>
          <h2 id="ws-h">{preview ? 'Worksheet (as the rules compute it)' : 'Your report'}</h2>
          {previewError && <Alert kind="error"><span data-testid="preview-error">{previewError}</span></Alert>}
          {shown && <Worksheet precinct={shown} candidates={candidates} />}
          {shown && !previewError && <EarlyVotesPanel precinct={shown} />}
          {!firstDone && preview && !previewError && (
            <div class="actions">
              <button type="button" disabled={practiceBusy} onClick={() => void sendPractice()}>
                Send a practice report
              </button>
              <span class="muted"> Before the night: checks your phone works. It never counts.</span>
            </div>
          )}
        </section>
      )}

      {precinct.status === 'tie-pending' && precinct.ties.pending && !queued('ties') && (
        <TiePanel
          precinct={precinct}
          delegates={precinct.reported.delegates ? fromFigures(precinct.reported.delegates) : delegates}
          onSend={(tied, favoured, detail, d) =>
            enqueue({
              label: label('Tie outcome'),
              method: 'POST',
              path: `/api/v1/precincts/${id}/ties`,
              token,
              body: Object.keys(d).length > 0 ? { tied, favoured, detail, delegates: d } : { tied, favoured, detail },
            })
          }
        />
      )}

      {precinct.status === 'must-realign' && (
        <Alert kind="warn">
          <span data-testid="advice">
            More groups are viable than there are delegates
            {precinct.computed?.must_realign.length ? `: ${precinct.computed.must_realign.join(', ')} (the smallest) must realign` : ': the smallest group must realign'}
            . Let them join another group, count again, and send the new final alignment as a
            correction below.
          </span>
        </Alert>
      )}

      {finalOnServer && <PhotoPanel precinct={precinct} token={token} label={label('Worksheet photo')} />}

      {precinct.status === 'final-reported' && !queued('confirm') && !queued('corrections') && (
        <section class="card" aria-labelledby="confirm-h">
          <h2 id="confirm-h">4. Review and confirm</h2>
          <p>
            Check the figures above against your paper worksheet. Confirming tells the party the
            report (revision {precinct.revision}) is final.
          </p>
          {errors.length > 0 && (
            <div class="alert error" role="alert" data-testid="confirm-errors">
              <p>
                The checks found {errors.length === 1 ? 'an error' : `${errors.length} errors`} in this report:
              </p>
              <ul>
                {errors.map((f) => (
                  <li key={f.code}>
                    <code>{f.code}</code>: {f.message}
                  </li>
                ))}
              </ul>
              <p>
                If the paper worksheet says otherwise, send a correction below. If it says the same,
                you may confirm the report as it stands: the party sees it flagged and reviews it.
              </p>
              <label class="check">
                <input
                  type="checkbox"
                  checked={acknowledged}
                  onChange={(e) => setAcknowledged((e.target as HTMLInputElement).checked)}
                />{' '}
                The paper worksheet says the same: confirm it with {errors.length === 1 ? 'this error' : 'these errors'}
              </label>
            </div>
          )}
          <button
            type="button"
            class="primary"
            disabled={errors.length > 0 && !acknowledged}
            onClick={() => {
              const body: Record<string, unknown> = { revision: precinct.revision };
              if (errors.length > 0) body['acknowledged'] = errors.map((f) => f.code);
              enqueue({ label: label('Confirmation'), method: 'POST', path: `/api/v1/precincts/${id}/confirm`, token, body });
              setAcknowledged(false);
            }}
          >
            Confirm this report
          </button>
        </section>
      )}
      {precinct.status === 'confirmed' && (
        <Alert kind={errors.length > 0 ? 'warn' : 'ok'}>
          <span data-testid="confirmed">
            Report confirmed (revision {precinct.revision}).
            {errors.length > 0
              ? ` You confirmed it with ${errors.length === 1 ? 'an error' : `${errors.length} errors`} (${errors.map((f) => f.code).join(', ')}): the party sees the report flagged and may call you about it.`
              : ' Thank you!'}{' '}
            What happens next: it counts in the party's next release of results, and campaigns can
            check it. If you find a mistake, send a correction below: it becomes revision{' '}
            {precinct.revision + 1} and is confirmed again.
          </span>
        </Alert>
      )}

      {firstOnServer && !busyHere && (
        <CorrectionPanel
          precinct={precinct}
          candidates={candidates}
          token={token}
          open={correcting || precinct.status === 'must-realign'}
          onOpen={setCorrecting}
          onSend={(body) => {
            enqueue({ label: label('Correction'), method: 'POST', path: `/api/v1/precincts/${id}/corrections`, token, body });
            setCorrecting(false);
          }}
        />
      )}
    </div>
  );
}

function Review(props: {
  title: string;
  figures: Record<string, number>;
  delegates?: Record<string, number>;
  findings?: Finding[];
  note?: string;
  sendLabel?: string;
  onSend: () => void;
  onBack: () => void;
}) {
  const names = Object.keys({ ...props.figures, ...(props.delegates ?? {}) });
  // What the checks say of these figures (the server's preview): errors and warnings, before
  // anything is sent.
  const flagged = (props.findings ?? []).filter((f) => f.severity === 'error' || f.severity === 'warning');
  return (
    <div class="review" role="group" aria-label={props.title}>
      <h3>{props.title}</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">People</th>
            {props.delegates && <th scope="col">Delegates</th>}
          </tr>
        </thead>
        <tbody>
          {names.map((n) => (
            <tr key={n}>
              <th scope="row">{n}</th>
              <td>{props.figures[n] ?? 0}</td>
              {props.delegates && <td>{props.delegates[n] ?? 0}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {props.note && <p class="muted" data-testid="review-note">{props.note}</p>}
      {flagged.length > 0 && (
        <div class={`alert ${flagged.some((f) => f.severity === 'error') ? 'error' : 'warn'}`} data-testid="review-findings">
          <p>Before you send, the checks find:</p>
          <ul>
            {flagged.map((f, i) => (
              <li key={i}>
                <strong>{f.severity}</strong> <code>{f.code}</code>: {f.message}
              </li>
            ))}
          </ul>
          <p>Compare with your paper worksheet; go back to change the figures.</p>
        </div>
      )}
      <div class="actions">
        <button type="button" class="primary" onClick={props.onSend}>
          {props.sendLabel ?? 'Send'}
        </button>
        <button type="button" onClick={props.onBack}>
          Back
        </button>
      </div>
    </div>
  );
}

function TiePanel(props: {
  precinct: Precinct;
  delegates: Values;
  onSend: (tied: string[], favoured: string[], detail: string, delegates: Record<string, number>) => void;
}) {
  const tie = props.precinct.ties.pending!;
  const [favoured, setFavoured] = useState<string[]>([]);
  const [detail, setDetail] = useState('');
  // The worksheet's delegates once the game of chance is held: the groups that win delegates.
  const groups = (props.precinct.computed?.groups ?? []).filter((g) => g.viable_final || tie.candidates.includes(g.candidate)).map((g) => g.candidate);
  const [sheet, setSheet] = useState<Values>(() => {
    const out: Values = {};
    for (const g of groups) if (props.delegates[g]) out[g] = props.delegates[g]!;
    return out;
  });
  const recorded = props.precinct.ties.recorded;
  const need = tie.kind === 'loss' ? tie.candidates.length - tie.delegates_at_stake : tie.delegates_at_stake;
  const ok = favoured.length === need && detail.trim().length > 0;
  return (
    <section class="card tie" aria-labelledby="tie-h">
      <h2 id="tie-h">3. Settle the tie</h2>
      <p>
        {tie.candidates.join(' and ')} tie on the decimal {tie.decimal}:{' '}
        {tie.kind === 'loss'
          ? `${tie.delegates_at_stake} of them lose a delegate`
          : `${tie.delegates_at_stake} of them gain a delegate`}
        . Hold the {tie.breaker}, then record who it favoured ({need}{' '}
        {tie.kind === 'loss' ? 'keep their delegate' : 'gain the delegate'}).
      </p>
      <fieldset>
        <legend>Favoured by the {tie.breaker}</legend>
        {tie.candidates.map((c) => (
          <label class="check" key={c}>
            <input
              type="checkbox"
              name="favoured"
              value={c}
              checked={favoured.includes(c)}
              onChange={(e) =>
                setFavoured((e.target as HTMLInputElement).checked ? [...favoured, c] : favoured.filter((x) => x !== c))
              }
            />{' '}
            {c}
          </label>
        ))}
      </fieldset>
      {recorded.length > 0 && (
        <p class="muted" data-testid="tie-earlier">
          Already recorded: {recorded.map((t) => `${t.tied.join(', ')}: favoured ${t.favoured.join(', ')} (${t.detail})`).join('; ')}.
          The figures now lead to a tie that outcome does not settle, so the rules need this one.
        </p>
      )}
      <label for="tie-detail">What happened (who called what, the result)</label>
      <input id="tie-detail" value={detail} placeholder="Sanders called heads; heads" onInput={(e) => setDetail((e.target as HTMLInputElement).value)} />
      {groups.length > 0 && (
        <FigureInputs
          idPrefix="tie-delegates"
          legend="Delegates on your worksheet after the toss (optional)"
          candidates={groups}
          values={sheet}
          onChange={(c, v) => setSheet({ ...sheet, [c]: v })}
        />
      )}
      <button type="button" class="primary" disabled={!ok} onClick={() => props.onSend(tie.candidates, favoured, detail.trim(), toFigures(sheet))}>
        Record the tie outcome
      </button>
    </section>
  );
}

function PhotoPanel(props: { precinct: Precinct; token: string; label: string }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const onFile = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError('');
    setBusy(true);
    try {
      const buf = new Uint8Array(await file.arrayBuffer());
      // Small enough to keep on the phone while offline? (localStorage holds a few MiB.)
      if (buf.length <= 2 * 1024 * 1024) {
        let bin = '';
        for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
        enqueue({
          label: props.label,
          method: 'POST',
          path: `/api/v1/precincts/${props.precinct.id}/photo`,
          token: props.token,
          photo: { base64: btoa(bin), type: file.type || 'application/octet-stream' },
        });
      } else {
        await call('POST', `/api/v1/precincts/${props.precinct.id}/photo`, {
          token: props.token,
          raw: file,
          headers: { 'Content-Type': file.type || 'application/octet-stream' },
        });
      }
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
      input.value = '';
    }
  };
  return (
    <section class="card" aria-labelledby="photo-h">
      <h2 id="photo-h">Worksheet photo</h2>
      <label for="photo">Take or choose a photo of the signed worksheet</label>
      <input id="photo" type="file" accept="image/*" capture="environment" onChange={onFile} disabled={busy} />
      {error && <Alert kind="error">{error}</Alert>}
      {props.precinct.photos.length > 0 && (
        <p data-testid="photos">
          Received: {props.precinct.photos.map((h) => <code key={h}>{h.slice(0, 12)}…</code>)}
        </p>
      )}
    </section>
  );
}

// A correction of the report as the server has it, at any stage: the figures start from what was
// reported, a reason is required, and the worksheet of the new figures (the server's preview)
// shows before anything is sent. It becomes the next revision: the confirmation starts again, and a
// coin toss already recorded is kept only if the new figures lead to the same tie.
function CorrectionPanel(props: {
  precinct: Precinct;
  candidates: string[];
  token: string;
  open: boolean;
  onOpen: (open: boolean) => void;
  onSend: (body: Record<string, unknown>) => void;
}) {
  const p = props.precinct;
  const hasFinal = !!p.reported.final;
  const [first, setFirst] = useState<Values>(() => fromFigures(p.reported.first));
  const [final, setFinal] = useState<Values>(() => fromFigures(p.reported.final));
  const [delegates, setDelegates] = useState<Values>(() => fromFigures(p.reported.delegates));
  const [reason, setReason] = useState('');
  const [preview, setPreview] = useState<Precinct | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [reviewing, setReviewing] = useState(false);

  // A new revision on the server (another correction, a hotline report): start from it.
  useEffect(() => {
    setFirst(fromFigures(p.reported.first));
    setFinal(fromFigures(p.reported.final));
    setDelegates(fromFigures(p.reported.delegates));
    setReviewing(false);
  }, [p.revision, hasFinal]);

  const body = (): Record<string, unknown> => {
    const b: Record<string, unknown> = { first: toFigures(first) };
    if (hasFinal) b['final'] = toFigures(final);
    const d = toFigures(delegates);
    if (hasFinal && Object.keys(d).length > 0) b['delegates'] = d;
    return b;
  };

  const seq = useRef(0);
  useEffect(() => {
    if (!props.open) return;
    const n = ++seq.current;
    setBusy(true);
    const timer = window.setTimeout(async () => {
      try {
        const { body: q } = await call<Precinct>('POST', `/api/v1/precincts/${p.id}/preview`, { token: props.token, body: body() });
        if (n !== seq.current) return;
        setPreview(q);
        setError('');
      } catch (e) {
        if (n !== seq.current) return;
        setPreview(null);
        setError(describeError(e));
      } finally {
        if (n === seq.current) setBusy(false);
      }
    }, 350);
    return () => window.clearTimeout(timer);
  }, [props.open, first, final, delegates, p.revision]);

  if (!props.open) {
    return (
      <section class="card" aria-labelledby="correct-h">
        <h2 id="correct-h">Correct this report</h2>
        <p class="muted">
          A figure on the page differs from the paper worksheet? Send a correction, with its reason:
          it becomes revision {p.revision + 1}.
        </p>
        <button type="button" onClick={() => props.onOpen(true)}>
          Correct this report
        </button>
      </section>
    );
  }
  const finalEmpty = hasFinal && Object.keys(toFigures(final)).length === 0;
  const ready = reason.trim().length > 0 && !error && !busy && !finalEmpty;
  const keptTies = preview?.ties.recorded ?? [];
  return (
    <section class="card correction" aria-labelledby="correct-h" data-testid="correction">
      <h2 id="correct-h">Correct this report</h2>
      <p data-testid="correction-revision">
        The corrected figures become revision {p.revision + 1} (the ledger keeps revision {p.revision} as it was).
        The report must be confirmed again{p.ties.recorded.length > 0 ? '; the coin toss already recorded is kept if the new figures lead to the same tie, otherwise the new tie is settled again' : ''}.
      </p>
      <div class="two-col">
        <FigureInputs
          idPrefix="fix-first"
          legend="First alignment"
          candidates={props.candidates}
          values={first}
          onChange={(c, v) => setFirst({ ...first, [c]: v })}
        />
        {hasFinal && (
          <FigureInputs
            idPrefix="fix-final"
            legend="Final alignment"
            candidates={props.candidates}
            values={final}
            onChange={(c, v) => setFinal({ ...final, [c]: v })}
          />
        )}
        {hasFinal && (
          <FigureInputs
            idPrefix="fix-delegates"
            legend="Delegates on your worksheet"
            candidates={props.candidates}
            values={delegates}
            onChange={(c, v) => setDelegates({ ...delegates, [c]: v })}
          />
        )}
      </div>
      <label for="fix-reason">Reason for the correction (required)</label>
      <input id="fix-reason" value={reason} placeholder="Warren's group realigned to Buttigieg" onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
      {finalEmpty && (
        <Alert kind="warn">The final alignment counts nobody: enter the people in each group after realignment.</Alert>
      )}
      {error && (
        <Alert kind="error">
          <span data-testid="correction-error">{error}</span>
        </Alert>
      )}
      {preview && !error && (
        <div data-testid="correction-preview">
          <h3>
            Revision {p.revision + 1}, as the rules compute it: <StatusBadge status={preview.status} />
          </h3>
          {preview.status === 'tie-pending' && <p class="muted">After sending it, the page asks for the {preview.ties.pending?.breaker}.</p>}
          {keptTies.length > 0 && preview.status !== 'tie-pending' && (
            <p class="muted" data-testid="correction-kept-tie">The coin toss already recorded still settles the tie: it is kept, and not held again.</p>
          )}
          <Worksheet precinct={preview} candidates={props.candidates} testid="cw" />
          <EarlyVotesPanel precinct={preview} testid="cev" />
        </div>
      )}
      {reviewing ? (
        <Review
          title={`Send this correction (revision ${p.revision + 1})?`}
          figures={toFigures(hasFinal ? final : first)}
          delegates={hasFinal ? ((body()['delegates'] as Record<string, number> | undefined) ?? {}) : undefined}
          findings={preview?.findings ?? []}
          note={`Reason: ${reason.trim()}`}
          sendLabel="Send the correction"
          onSend={() => {
            props.onSend({ ...body(), reason: reason.trim() });
            setReviewing(false);
            setReason('');
          }}
          onBack={() => setReviewing(false)}
        />
      ) : (
        <div class="actions">
          <button type="button" class="primary" disabled={!ready} onClick={() => setReviewing(true)}>
            Review the correction
          </button>
          <button type="button" onClick={() => props.onOpen(false)}>
            Cancel
          </button>
        </div>
      )}
      {!reason.trim() && <p class="muted">Say why: the reason is kept with the correction for everyone to see.</p>}
    </section>
  );
}
