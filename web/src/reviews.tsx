// After the night: the public record of recanvass and recount requests (GET /api/v1/audit) and the
// materiality list (GET /api/v1/audit/materiality), as the audit, campaign and admin pages read
// them. The engine decides everything shown here (eligibility, layers, corrections); the pages
// only lay it out, with the ledger position of each step.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, describeError, get, type Election, type Figures } from './api';

export interface ReviewSettings {
  request_roles: string[];
  claims_for_self: boolean;
  request_hours: number;
  answer_hours: number;
  cost_hours: number;
  recanvass_corrects: string[];
}

export interface Claim { field: string; candidate: string; reported: number; claimed: number }

export interface PoolChange { pool: string; before: Figures; after: Figures; text: string; tie: boolean }

export interface Eligibility {
  eligible?: boolean;
  pools?: PoolChange[];
  failed_assertions?: string[];
  sde?: Record<string, { reported: string; claimed: string }>;
  error?: string;
}

export interface Decision { seq: number; time: string; decision: string; reason: string; late: boolean; cost: string | null }

export type Layer =
  | { layer: 'transcription'; fields: string[]; corrected: boolean }
  | { layer: 'rule-misapplication'; rules_delegates: Figures; corrected: boolean }
  | { layer: 'count'; reason?: string; fields?: string[]; corrected: boolean };

export interface Sheet { first: Figures | null; final: Figures | null; delegates: Figures | null }

// The cost the party stated when it accepted a precinct (above zero), when the requesting campaign
// must answer by, and its answer (null until given).
export interface Costs {
  amount: string;
  due: string;
  answer: { seq: number; time: string; accepted: boolean } | null;
}

// When and where the packet is opened (the last `review-scheduled` stands).
export interface Schedule { seq: number; time: string; at: string; place: string }

// POST /api/v1/evidence's answer: the hash a request then names.
export interface Evidence { sha256: string; content_type: string; bytes: number; url: string }

export interface Entry {
  seq: number;
  time: string;
  kind?: string;
  recount?: { cards: number | null; unauditable: boolean; custody: string; rules_delegates: Figures | null } | null;
  revision: number;
  worksheet: Sheet;
  photo: string | null;
  observers: string[];
  note: string;
  layers: Layer[];
  agrees: boolean;
  correction: (Sheet & { layers: string[]; seq: number | null }) | null;
}

export interface ReviewPrecinct {
  precinct: number;
  county: string;
  name: string;
  reason: string;
  evidence: string[];
  claims: Claim[];
  eligibility: Eligibility | null;
  decision: Decision | null;
  decisions: Decision[];
  costs: Costs | null;
  schedule: Schedule | null;
  entries: Entry[];
  revision: number;
}

export interface ReviewRequest {
  seq: number;
  time: string;
  judged_on: number | null;
  kind: string;
  requester: string;
  reason: string;
  deadline: string;
  precincts: ReviewPrecinct[];
}

export interface AuditRecord {
  seq: number;
  ruleset: { name: string; hash: string };
  review: ReviewSettings | null;
  deadline: string | null;
  open: string[];
  certified: number | null;
  requests: ReviewRequest[];
}

export interface MaterialityRow {
  county: string;
  precinct: string;
  bounded: boolean;
  bound: string | null;
  possibly_material: boolean;
  material: boolean;
  assertion: string | null;
  smallest_change: { from: string | null; to: string; delegates: number; sde_moved: string; text: string } | null;
}

export interface MaterialityList {
  seq: number;
  side: string;
  summary: { precincts: number; possibly_material: number; material: number; by_moving_delegates: number; only_by_all_delegates: number };
  precincts: MaterialityRow[];
}

// The events after which the record or the materiality list may have changed.
const EVENTS = [
  'review-requested', 'review-decided', 'review-costs', 'review-scheduled', 'recanvass-entered', 'recount-entered',
  'report-corrected', 'release-published',
  'first-alignment-reported', 'final-alignment-reported', 'tie-outcome-recorded',
  'rla-started', 'rla-seed', 'rla-tally',
];
const REFETCH_MS = 1000; // at most one fetch a second however many events arrive

// Fetches `path` with its ETag (304 keeps what we have) and again after each ledger event that
// may change it, as the results page follows the ledger. `seqOf` reads the ledger position a
// document was built from (`seq` unless told); `code` is the API's error code of the last refusal
// (e.g. `no-audit`: the page says what it means instead of showing an error). `options.token` is
// sent for a document only staff may read; `options.events` replaces the events followed (the
// review record's and the audit's unless told).
export function useLiveJson<T>(
  path: string,
  seqOf: (body: T) => number = (b) => (b as { seq: number }).seq,
  options: { token?: string; events?: string[] } = {},
): { body: T | null; error: string; code: string; unavailable: boolean; reload: () => void } {
  const [body, setBody] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [code, setCode] = useState('');
  const [unavailable, setUnavailable] = useState(false);
  const etag = useRef('');
  const pending = useRef<number | null>(null);
  const last = useRef(0);
  const fetchIt = async (): Promise<number | null> => {
    last.current = Date.now();
    try {
      const headers: Record<string, string> = etag.current ? { 'If-None-Match': etag.current } : {};
      if (options.token) headers['Authorization'] = `Bearer ${options.token}`;
      const res = await fetch(path, { headers, cache: 'no-store' });
      if (res.status === 304) return null;
      const json = await res.json().catch(() => null);
      if (!res.ok) {
        const err = json?.error;
        throw new ApiError(res.status, err?.code ?? `http-${res.status}`, err?.message ?? `the server answered ${res.status}`, err?.field ?? null);
      }
      etag.current = res.headers.get('ETag') ?? '';
      setBody(json as T);
      setError('');
      setCode('');
      setUnavailable(false);
      return seqOf(json as T);
    } catch (e) {
      setError(describeError(e));
      setCode(e instanceof ApiError ? e.code : '');
      setUnavailable(e instanceof ApiError && e.status === 422);
      return null;
    }
  };
  const schedule = () => {
    if (pending.current !== null) return;
    const wait = Math.max(0, last.current + REFETCH_MS - Date.now());
    pending.current = window.setTimeout(() => {
      pending.current = null;
      void fetchIt();
    }, wait);
  };
  useEffect(() => {
    let source: EventSource | null = null;
    let stopped = false;
    void fetchIt().then((seq) => {
      if (stopped) return;
      // Only what comes after the ledger position we have: a page never replays the ledger.
      (seq !== null ? Promise.resolve(seq) : get<Election>('/api/v1/election').then((e) => e.seq))
        .then((after) => {
          if (stopped) return;
          source = new EventSource(`/api/v1/events?after=${after}`);
          for (const type of options.events ?? EVENTS) source.addEventListener(type, schedule);
        })
        .catch(() => undefined);
    });
    return () => {
      stopped = true;
      source?.close();
      if (pending.current !== null) window.clearTimeout(pending.current);
    };
  }, [path, options.token]);
  return { body, error, code, unavailable, reload: schedule };
}

// A ledger position, linked to its event (the ledger's JSON line).
export function Seq(props: { seq: number; testid?: string }) {
  return (
    <strong data-testid={props.testid}>
      <a href={`/api/v1/ledger?after=${Math.max(0, props.seq - 1)}&limit=1`} title={`ledger event ${props.seq}`}>
        {props.seq}
      </a>
    </strong>
  );
}

export const materialityKey = (county: string, precinct: string) => `${county}\u0000${precinct}`;

// "Buttigieg 2, Klobuchar 1" in the election's candidate order; absent names are 0 and not shown.
export function figuresText(f: Figures | null | undefined, candidates: string[]): string {
  if (!f) return '—';
  const names = candidates.length ? candidates.filter((c) => c in f) : Object.keys(f);
  for (const k of Object.keys(f)) if (!names.includes(k)) names.push(k);
  const shown = names.filter((c) => (f[c] ?? 0) !== 0);
  return shown.length ? shown.map((c) => `${c} ${f[c]}`).join(', ') : 'none';
}

export function fieldLabel(field: string): string {
  return field === 'first' ? 'first alignment' : field === 'final' ? 'final alignment' : 'delegates';
}

// One recanvass entry: the worksheet as entered, each layer the engine found, and the correction
// with the ledger position of each step.
export function EntryView(props: { entry: Entry; candidates: string[]; testid: string }) {
  const e = props.entry;
  const c = props.candidates;
  return (
    <div class="entry" data-testid={props.testid}>
      {e.kind === 'recount' ? (
        <p>
          Recount entered at ledger event <Seq seq={e.seq} testid={`${props.testid}-seq`} /> (on revision {e.revision})
          {e.recount?.unauditable ? (
            <span data-testid={`${props.testid}-recount`}>: the packet could not be audited ({e.recount.custody})</span>
          ) : (
            <span data-testid={`${props.testid}-recount`}>: {e.recount?.cards ?? '—'} cards counted</span>
          )}
          {e.note ? `; ${e.note}` : ''}.
        </p>
      ) : (
        <p>
          Worksheet entered at ledger event <Seq seq={e.seq} testid={`${props.testid}-seq`} /> (on revision {e.revision}){e.note ? `: ${e.note}` : ''}.
        </p>
      )}
      <p data-testid={`${props.testid}-observers`}>
        {e.observers.length > 0 ? `Observers present for: ${e.observers.join(', ')}` : "No campaign's observers recorded."}
      </p>
      <dl class="sheet">
        <dt>{e.kind === 'recount' ? 'By first preference' : 'First alignment'}</dt>
        <dd data-testid={`${props.testid}-sheet-first`}>{figuresText(e.worksheet.first, c)}</dd>
        <dt>{e.kind === 'recount' ? 'By second preference' : 'Final alignment'}</dt>
        <dd data-testid={`${props.testid}-sheet-final`}>{figuresText(e.worksheet.final, c)}</dd>
        <dt>Delegates</dt>
        <dd data-testid={`${props.testid}-sheet-delegates`}>{figuresText(e.worksheet.delegates, c)}</dd>
      </dl>
      {e.agrees ? (
        <p data-testid={`${props.testid}-agrees`}>The worksheet agrees with the report and the rules: nothing to correct.</p>
      ) : (
        <ul class="layers">
          {e.layers.map((l) => (
            <li key={l.layer} data-testid={`${props.testid}-layer-${l.layer}`} data-corrected={String(l.corrected)}>
              <strong>{l.layer === 'transcription' ? 'Transcription' : l.layer === 'rule-misapplication' ? 'Rule misapplication' : 'Count'}</strong>
              {l.layer === 'transcription' && <>: the report differs from the worksheet in {l.fields.join(', ')}</>}
              {l.layer === 'rule-misapplication' && (
                <>
                  : the worksheet's counts pass the rules, but the rules give{' '}
                  <span data-testid={`${props.testid}-rules-delegates`}>{figuresText(l.rules_delegates, c)}</span>
                </>
              )}
              {l.layer === 'count' &&
                (l.fields ? <>: the cards differ from the report in {l.fields.join(', ')}</> : <>: {l.reason} (only a recount of the cards settles it)</>)}
              {l.corrected ? ' · corrected' : ' · not corrected by a recanvass'}
            </li>
          ))}
        </ul>
      )}
      {e.correction && (
        <p data-testid={`${props.testid}-correction`}>
          Correction ({e.correction.layers.join(', ')}):{' '}
          {e.correction.first && <>first alignment {figuresText(e.correction.first, c)}; </>}
          {e.correction.final && <>final alignment {figuresText(e.correction.final, c)}; </>}
          {e.correction.delegates && (
            <>
              delegates <span data-testid={`${props.testid}-correction-delegates`}>{figuresText(e.correction.delegates, c)}</span>
            </>
          )}
          {e.correction.seq !== null ? (
            <>
              {' '}· written at ledger event <Seq seq={e.correction.seq} testid={`${props.testid}-correction-seq`} />
            </>
          ) : (
            ' · not yet written'
          )}
        </p>
      )}
    </div>
  );
}

export function DecisionText(props: { d: Decision; testid?: string }) {
  const d = props.d;
  return (
    <span data-testid={props.testid} data-decision={d.decision}>
      <strong>{d.decision === 'accepted' ? 'Accepted' : 'Refused'}</strong>: {d.reason}
      {d.cost !== null ? ` · cost ${d.cost}` : ''}
      {d.late ? ' · answered late' : ''} <span class="muted">
        (ledger event <Seq seq={d.seq} />, {d.time})
      </span>
    </span>
  );
}

// The cost of an accepted precinct and the requesting campaign's answer: "cost 350.00, to be
// accepted by …; accepted at ledger event N". `closed` says what follows for the entry.
export function CostsText(props: { costs: Costs; testid: string }) {
  const c = props.costs;
  const t = props.testid;
  const late = c.answer === null && Date.now() > Date.parse(c.due);
  return (
    <span data-testid={t} data-answer={c.answer === null ? (late ? 'late' : 'none') : c.answer.accepted ? 'accepted' : 'declined'}>
      cost <strong data-testid={`${t}-amount`}>{c.amount}</strong>, to be accepted by <span data-testid={`${t}-due`}>{c.due}</span>
      {c.answer === null ? (
        late ? '; not accepted in time: closed without an entry' : '; awaiting the campaign\'s answer'
      ) : (
        <>
          ; {c.answer.accepted ? 'accepted' : 'declined: closed without an entry'} at ledger event{' '}
          <Seq seq={c.answer.seq} testid={`${t}-answer-seq`} /> <span class="muted">({c.answer.time})</span>
        </>
      )}
    </span>
  );
}

// When and where the packet is opened, with the event that recorded it.
export function ScheduleText(props: { schedule: Schedule; testid: string }) {
  const s = props.schedule;
  const t = props.testid;
  return (
    <span data-testid={t}>
      opened at <span data-testid={`${t}-at`}>{s.at}</span>, <span data-testid={`${t}-place`}>{s.place}</span>{' '}
      <span class="muted">
        (scheduled at ledger event <Seq seq={s.seq} testid={`${t}-seq`} />)
      </span>
    </span>
  );
}

// A request's evidence, each a link to the stored file by its hash (a PDF downloads).
export function EvidenceLinks(props: { hashes: string[]; testid: string }) {
  return (
    <ul class="evidence" data-testid={props.testid}>
      {props.hashes.map((h) => (
        <li key={h}>
          <a href={`/api/v1/photos/${h}`} target="_blank" rel="noopener" title={h}>
            <code class="hash">{h.slice(0, 12)}…</code>
          </a>
        </li>
      ))}
    </ul>
  );
}
