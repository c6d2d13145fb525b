// Hotline operators: enter a phoned-in report (double entry by two operators) and see the
// reconciliation queue, where two operators typed different figures.
import { useEffect, useState } from 'preact/hooks';
import { call, describeError, get, newSubmissionId, type Election, type PrecinctSummary, type Session, type WriteAnswer } from '../api';
import { Alert, FigureInputs, Login, LogoutBar, toFigures, useSession } from '../ui';

interface QueueEntry {
  precinct: number;
  county: string;
  name: string;
  stage: string;
  entries: { seq: number; operator: string; figures: Record<string, Record<string, number>> }[];
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
      setAnswer({ kind: h === 'mismatch' ? 'warn' : 'ok', text, hotline: h });
      setFigures({});
      setDelegates({});
    } catch (err) {
      setAnswer({ kind: 'error', text: describeError(err) });
    } finally {
      setBusy(false);
      void loadQueue();
    }
  };

  const candidates = election?.candidates ?? [];
  return (
    <div class="operator">
      <LogoutBar session={props.session} onLogout={props.onLogout} />
      <form class="card" onSubmit={submit} aria-labelledby="entry-h">
        <h2 id="entry-h">Hotline entry</h2>
        <PrecinctPicker precincts={precincts} value={precinct} onChange={setPrecinct} />
        <fieldset class="toggle">
          <legend>Which figures</legend>
          <label>
            <input type="radio" name="stage" value="first" checked={stage === 'first'} onChange={() => setStage('first')} /> First alignment
          </label>
          <label>
            <input type="radio" name="stage" value="final" checked={stage === 'final'} onChange={() => setStage('final')} /> Final alignment
          </label>
        </fieldset>
        <div class="two-col">
          <FigureInputs
            idPrefix="hotline"
            legend={stage === 'first' ? 'First alignment: people per group' : 'Final alignment: people per group'}
            candidates={candidates}
            values={figures}
            onChange={(c, v) => setFigures({ ...figures, [c]: v })}
          />
          {stage === 'final' && (
            <FigureInputs idPrefix="hotline-delegates" legend="Delegates per group (from the worksheet)" candidates={candidates} values={delegates} onChange={(c, v) => setDelegates({ ...delegates, [c]: v })} />
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
          <ul class="reconciliation" data-testid="reconciliation">
            {queue.map((q) => (
              <li key={`${q.precinct}-${q.stage}`} data-precinct={q.precinct}>
                <strong>
                  {q.precinct}: {q.county} / {q.name}
                </strong>{' '}
                ({q.stage})
                <ul>
                  {q.entries.map((e) => (
                    <li key={e.seq}>
                      #{e.seq} by {e.operator}:{' '}
                      {Object.entries(e.figures[q.stage] ?? {})
                        .map(([k, v]) => `${k} ${v}`)
                        .join(', ')}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
