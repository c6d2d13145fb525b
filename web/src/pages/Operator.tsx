// Hotline operators: enter a phoned-in report (double entry by two operators), see the precinct
// as the server has it (worksheet, findings) and finish it for the caller (tie, photo, confirm),
// and the reconciliation queue, where operators typed different figures.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, describeError, get, newSubmissionId, type Election, type Precinct, type PrecinctSummary, type Session, type WriteAnswer } from '../api';
import { EarlyVotesPanel, earlyVotesOf } from '../early';
import { findingsSummary, PrecinctDesk } from '../staff';
import { Alert, FigureInputs, Login, LogoutBar, toFigures, useSession } from '../ui';

interface QueueEntry {
  precinct: number;
  county: string;
  name: string;
  stage: string;
  entries: { seq: number; operator: string; operator_name?: string; figures: Record<string, Record<string, number>> }[];
}

// The figures of a queue item, field by field ("final", "delegates"), candidate by candidate,
// with whether the entries differ there.
function queueRows(q: QueueEntry) {
  const fields = q.stage === 'first' ? ['first'] : ['final', 'delegates'];
  const rows: { field: string; candidate: string; values: number[]; differs: boolean }[] = [];
  for (const field of fields) {
    const names = new Set<string>();
    for (const e of q.entries) for (const c of Object.keys(e.figures[field] ?? {})) names.add(c);
    for (const c of [...names].sort()) {
      const values = q.entries.map((e) => e.figures[field]?.[c] ?? 0);
      rows.push({ field, candidate: c, values, differs: values.some((v) => v !== values[0]) });
    }
  }
  return rows;
}

const FIELD_LABEL: Record<string, string> = { first: 'First alignment', final: 'Final alignment', delegates: 'Delegates' };

// A Nevada precinct's early-vote cards beside the figures being entered: the caller reads the
// people in the room, and the server's preview of those figures (writing nothing) shows T, the
// threshold, the cards that move and those with no viable choice. Nothing for a precinct without
// cards.
function HotlineEarlyVotes(props: {
  id: number;
  token: string;
  stage: 'first' | 'final';
  figures: Record<string, string>;
  delegates: Record<string, string>;
  version: number;
}) {
  const [base, setBase] = useState<Precinct | null>(null);
  const [preview, setPreview] = useState<Precinct | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setBase(null);
    setPreview(null);
    get<Precinct>(`/api/v1/precincts/${props.id}`).then(setBase, () => undefined);
  }, [props.id, props.version]);
  const hasCards = !!earlyVotesOf(base);
  const seq = useRef(0);
  useEffect(() => {
    if (!hasCards) return;
    const f = toFigures(props.figures);
    const n = ++seq.current;
    if (Object.keys(f).length === 0) {
      setPreview(null);
      setError('');
      return;
    }
    const body: Record<string, unknown> = props.stage === 'first' ? { first: f } : { final: f };
    const d = toFigures(props.delegates);
    if (props.stage === 'final' && Object.keys(d).length > 0) body['delegates'] = d;
    const timer = window.setTimeout(async () => {
      try {
        const { body: p } = await call<Precinct>('POST', `/api/v1/precincts/${props.id}/preview`, { token: props.token, body });
        if (n !== seq.current) return;
        setPreview(p);
        setError('');
      } catch (e) {
        if (n !== seq.current) return;
        setError(describeError(e));
      }
    }, 350);
    return () => window.clearTimeout(timer);
  }, [hasCards, props.id, props.stage, props.figures, props.delegates]);
  if (!base || !hasCards) return null;
  return (
    <section class="card" aria-labelledby="hotline-early-h" data-testid="hotline-early">
      <h2 id="hotline-early-h">Early-vote cards of this precinct</h2>
      <p class="muted">
        Ask the caller for the people in the room only: the server adds the cards.
        {preview && !error ? ' With the figures typed above:' : ' As recorded:'}
      </p>
      {error && (
        <Alert kind="error">
          <span data-testid="hotline-early-error">{error}</span>
        </Alert>
      )}
      <EarlyVotesPanel precinct={preview && !error ? preview : base} testid="hev" />
    </section>
  );
}

export function OperatorPage() {
  const [session, setSession] = useSession('operator');
  if (!session) return <Login role="operator" title="Hotline operator: log in" onSession={setSession} />;
  return <OperatorDesk session={session} onLogout={() => setSession(null)} />;
}

export function PrecinctPicker(props: { precincts: PrecinctSummary[]; value: number | null; onChange: (id: number | null) => void }) {
  const [filter, setFilter] = useState('');
  const f = filter.trim().toLowerCase();
  const matches = props.precincts
    .filter((p) => !f || String(p.id) === f || `${p.county} ${p.precinct}`.toLowerCase().includes(f))
    .slice(0, 200);
  return (
    <div class="picker">
      <label for="precinct-filter">Find the precinct (number, county or name)</label>
      <input id="precinct-filter" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      <label for="precinct-select">Precinct</label>
      <select
        id="precinct-select"
        value={props.value === null ? '' : String(props.value)}
        onChange={(e) => {
          const v = (e.target as HTMLSelectElement).value;
          props.onChange(v ? Number(v) : null);
        }}
      >
        <option value="">— choose ({matches.length} shown) —</option>
        {matches.map((p) => (
          <option key={p.id} value={p.id}>
            {p.id}: {p.county} / {p.precinct}
          </option>
        ))}
      </select>
    </div>
  );
}

function OperatorDesk(props: { session: Session; onLogout: () => void }) {
  const token = props.session.token;
  const [election, setElection] = useState<Election | null>(null);
  const [precincts, setPrecincts] = useState<PrecinctSummary[]>([]);
  const [precinct, setPrecinct] = useState<number | null>(null);
  const [stage, setStage] = useState<'first' | 'final'>('first');
  const [figures, setFigures] = useState<Record<string, string>>({});
  const [delegates, setDelegates] = useState<Record<string, string>>({});
  const [answer, setAnswer] = useState<{ kind: 'ok' | 'warn' | 'error' | 'info'; text: string; hotline?: string } | null>(null);
  const [queue, setQueue] = useState<QueueEntry[]>([]);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0); // bumped when the chosen precinct changed on the server

  const loadQueue = () =>
    get<{ queue: QueueEntry[] }>('/api/v1/hotline/reconciliation', token).then((b) => setQueue(b.queue), () => undefined);

  useEffect(() => {
    get<Election>('/api/v1/election').then(setElection, () => undefined);
    get<{ precincts: PrecinctSummary[] }>('/api/v1/precincts').then((b) => setPrecincts(b.precincts), () => undefined);
    void loadQueue();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (precinct === null) {
      setAnswer({ kind: 'error', text: 'Choose the precinct first.' });
      return;
    }
    setBusy(true);
    const body: Record<string, unknown> = { submission: newSubmissionId(), precinct };
    if (stage === 'first') body['first'] = toFigures(figures);
    else {
      body['final'] = toFigures(figures);
      body['delegates'] = toFigures(delegates);
    }
    try {
      const { body: a } = await call<WriteAnswer>('POST', '/api/v1/hotline/entries', { token, body });
      const h = a.hotline ?? 'accepted';
      const text =
        h === 'waiting'
          ? 'Entered. Waiting for a second operator to enter the same figures.'
          : h === 'accepted'
            ? 'Accepted: a second operator entered the same figures; the report is recorded.'
            : h === 'mismatch'
              ? 'Mismatch: another operator entered different figures. The precinct is in the reconciliation queue.'
              : `Answer: ${h}`;
      const found = h === 'accepted' && a.precinct ? findingsSummary(a.precinct) : '';
      setAnswer({
        kind: h === 'mismatch' ? 'warn' : found ? 'warn' : 'ok',
        text: found ? `${text} The rules find ${found}: see the worksheet below.` : text,
        hotline: h,
      });
      setFigures({});
      setDelegates({});
      setVersion((v) => v + 1);
    } catch (err) {
      setAnswer({ kind: 'error', text: describeError(err) });
    } finally {
      setBusy(false);
      void loadQueue();
    }
  };

  // A new precinct or stage is a new call: the last answer no longer applies.
  const choose = (id: number | null) => {
    setPrecinct(id);
    setAnswer(null);
  };
  const chooseStage = (s: 'first' | 'final') => {
    setStage(s);
    setAnswer(null);
  };

  const candidates = election?.candidates ?? [];
  return (
    <div class="operator">
      <LogoutBar session={props.session} onLogout={props.onLogout} />
      <form class="card" onSubmit={submit} aria-labelledby="entry-h">
        <h2 id="entry-h">Hotline entry</h2>
        <PrecinctPicker precincts={precincts} value={precinct} onChange={choose} />
        <fieldset class="toggle">
          <legend>Which figures</legend>
          <label>
            <input type="radio" name="stage" value="first" checked={stage === 'first'} onChange={() => chooseStage('first')} /> First alignment
          </label>
          <label>
            <input type="radio" name="stage" value="final" checked={stage === 'final'} onChange={() => chooseStage('final')} /> Final alignment
          </label>
        </fieldset>
        <div class="two-col">
          <FigureInputs
            idPrefix="hotline"
            legend={stage === 'first' ? 'First alignment: people per group' : 'Final alignment: people per group'}
            candidates={candidates}
            values={figures}
            onChange={(c, v) => {
              setAnswer(null);
              setFigures({ ...figures, [c]: v });
            }}
          />
          {stage === 'final' && (
            <FigureInputs
              idPrefix="hotline-delegates"
              legend="Delegates per group (from the worksheet)"
              candidates={candidates}
              values={delegates}
              onChange={(c, v) => {
                setAnswer(null);
                setDelegates({ ...delegates, [c]: v });
              }}
            />
          )}
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Enter
        </button>
        {answer && (
          <Alert kind={answer.kind}>
            <span data-testid="hotline-answer" data-hotline={answer.hotline ?? ''}>
              {answer.text}
            </span>
          </Alert>
        )}
      </form>
      {precinct !== null && (
        <HotlineEarlyVotes id={precinct} token={token} stage={stage} figures={figures} delegates={delegates} version={version} />
      )}
      {precinct !== null && (
        <PrecinctDesk id={precinct} token={token} candidates={candidates} version={version} onChange={() => void loadQueue()} />
      )}
      <section class="card" aria-labelledby="rec-h">
        <div class="row-between">
          <h2 id="rec-h">Reconciliation queue ({queue.length})</h2>
          <button type="button" onClick={() => void loadQueue()}>
            Refresh
          </button>
        </div>
        {queue.length === 0 ? (
          <p class="muted">Nothing to reconcile.</p>
        ) : (
          <>
            <p>
              Operators entered different figures for these precincts; the figures that differ are highlighted. Call the
              chair back and enter what the worksheet says: a further entry that agrees with one of these settles it.
            </p>
            <ul class="reconciliation" data-testid="reconciliation">
              {queue.map((q) => {
                const rows = queueRows(q);
                const differing = rows.filter((r) => r.differs);
                return (
                  <li key={`${q.precinct}-${q.stage}`} data-precinct={q.precinct} data-stage={q.stage}>
                    <strong>
                      {q.precinct}: {q.county} / {q.name}
                    </strong>{' '}
                    ({FIELD_LABEL[q.stage] ?? q.stage}){' '}
                    <button
                      type="button"
                      class="link"
                      onClick={() => {
                        choose(q.precinct);
                        chooseStage(q.stage === 'final' ? 'final' : 'first');
                        document.getElementById('entry-h')?.scrollIntoView();
                      }}
                    >
                      Enter this precinct again
                    </button>
                    <p data-testid="rec-summary">
                      {differing.length === 0
                        ? 'The entries differ.'
                        : `Differ: ${differing.map((r) => `${FIELD_LABEL[r.field] ?? r.field} ${r.candidate}`).join('; ')}.`}{' '}
                      A third entry that agrees with one of them settles it.
                    </p>
                    <ul>
                      {q.entries.map((e, k) => (
                        <li key={e.seq} data-operator={e.operator_name ?? e.operator}>
                          <strong>{e.operator_name ?? e.operator}</strong> <span class="muted">(entry #{e.seq})</span>:{' '}
                          {(q.stage === 'first' ? ['first'] : ['final', 'delegates']).map((field, f) => {
                            const mine = rows.filter((r) => r.field === field);
                            if (mine.length === 0) return null;
                            return (
                              <span key={field}>
                                {f > 0 ? '; ' : ''}
                                {FIELD_LABEL[field]?.toLowerCase() ?? field}{' '}
                                {mine.map((r, n) => (
                                  <span key={r.candidate} data-figure={`${field}.${r.candidate}`}>
                                    {n > 0 ? ', ' : ''}
                                    {r.candidate} {r.differs ? <mark data-differs="true">{r.values[k]}</mark> : r.values[k]}
                                  </span>
                                ))}
                              </span>
                            );
                          })}
                        </li>
                      ))}
                    </ul>
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}
