// Public results: state totals (first and final alignments with their shares, SDEs with their
// shares, national delegates of the view selected), the leader and the margin, percent reporting
// with the precincts in, the release timeline and the county map, updated live from the event
// stream. With early vote (Nevada) the alignments are in person plus the cards, and a table shows
// early, in person and total apart.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, describeError, get, type Election, type Leader, type National, type PrecinctSummary, type Results, type TimelinePoint, type Totals } from '../api';
import { IowaMap, countyKey, type CountyFill } from '../map';
import { colourOf } from '../palette';
import { sourceOf, useLatestRelease, type Source } from '../provenance';
import { Timeline } from '../timeline';
import { Alert, StatusBadge } from '../ui';

const REFETCH_MS = 1000; // at most one results fetch a second however many events arrive

// A figure that links to where it came from. `label` names it for a screen reader ("Sanders,
// final alignment"), to which the figure and its source are added; `tab` false keeps it out of
// the tab order (a table row has one stop, its source being the same for every figure in it).
function N(props: { value: number | string; source: Source; testid?: string; label?: string; tab?: boolean }) {
  const shown = typeof props.value === 'number' ? props.value.toLocaleString('en-US') : props.value;
  return (
    <a
      class="num"
      href={props.source.href}
      title={props.source.title}
      data-testid={props.testid}
      aria-label={props.label ? `${props.label}, ${shown}, ${props.source.title}` : undefined}
      tabIndex={props.tab === false ? -1 : undefined}
    >
      {shown}
    </a>
  );
}

// Early, in person and total of each alignment per candidate, when the election has early vote
// (the totals carry the parts only then).
function EarlyVoteTable(props: { state: Totals; candidates: string[]; source: Source }) {
  const { state, candidates, source } = props;
  const cols: { key: 'first' | 'final'; part: 'in_person' | 'early' | 'total'; head: string; words: string }[] = [];
  for (const key of ['first', 'final'] as const) {
    for (const [part, head, words] of [
      ['in_person', 'In person', 'in person'],
      ['early', 'Early', 'early vote'],
      ['total', 'Total', 'total'],
    ] as const) {
      cols.push({ key, part, head, words });
    }
  }
  const value = (c: string, key: 'first' | 'final', part: 'in_person' | 'early' | 'total') => {
    const l = state[c];
    if (!l) return 0;
    if (part === 'total') return l[key];
    return (part === 'early' ? l[`${key}_early`] : l[`${key}_in_person`]) ?? 0;
  };
  return (
    <div class="table-wrap">
      <table class="totals" data-testid="early-vote-totals">
        <caption class="sr-only">State alignments by candidate: in person, early vote and total</caption>
        <thead>
          <tr class="side-head">
            <td />
            <th scope="colgroup" colSpan={3}>First<span class="wide-only"> alignment</span></th>
            <th scope="colgroup" colSpan={3}>Final<span class="wide-only"> alignment</span></th>
          </tr>
          <tr>
            <th scope="col">Candidate</th>
            {cols.map((col) => (
              <th scope="col" class="n" key={`${col.key}-${col.part}`}>
                {col.part === 'in_person' ? (
                  <>
                    <span class="wide-only">In person</span>
                    <abbr class="narrow-only" title="In person">In p.</abbr>
                  </>
                ) : (
                  col.head
                )}
                <span class="sr-only">, {col.key} alignment</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {candidates.map((c) => (
            <tr key={c}>
              <th scope="row">{c}</th>
              {cols.map((col, i) => (
                <td class="n" key={`${col.key}-${col.part}`}>
                  <N
                    value={value(c, col.key, col.part)}
                    source={source}
                    testid={`ev-${col.key}-${col.part}-${c}`}
                    label={`${c}, ${col.key} alignment, ${col.words}`}
                    tab={i === 0 ? undefined : false}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function leaderText(l: Leader | null, what: 'sde' | 'final'): string {
  if (!l) return what === 'sde' ? 'Nobody has SDEs yet.' : 'Nobody has a final alignment yet.';
  const unit = what === 'sde' ? 'SDEs' : 'people';
  const margin = typeof l.margin === 'number' ? l.margin.toLocaleString('en-US') : l.margin;
  if (l.tied) return `${l.candidate} and ${l.second} are tied in ${what === 'sde' ? 'SDEs' : 'the final alignment'}.`;
  if (!l.second) return `${l.candidate} leads in ${what === 'sde' ? 'SDEs' : 'the final alignment'}.`;
  return what === 'sde'
    ? `${l.candidate} leads in SDEs by ${margin} ${unit} over ${l.second}.`
    : `${l.candidate} leads the final alignment by ${margin} ${unit} over ${l.second}.`;
}

// What the national delegates rest on: every precinct, or a partial count said plainly.
function nationalNote(n: National | null | undefined): string {
  if (!n) return 'No national delegates on this side: it lacks the figure they are allocated from.';
  const of = n.precincts.of.toLocaleString('en-US');
  const counted = n.precincts.counted.toLocaleString('en-US');
  const pending = n.pools.some((p) => (p as { complete?: boolean }).complete === false);
  if (n.complete) return `National delegates from all ${of} precincts.`;
  return (
    `National delegates from ${counted} of ${of} precincts: a partial count, which will change as precincts come in` +
    (pending ? '; a pool waits for a drawing.' : '.')
  );
}

function useTimeline(release: string | undefined): TimelinePoint[] {
  const [points, setPoints] = useState<TimelinePoint[]>([]);
  useEffect(() => {
    get<{ releases: TimelinePoint[] }>('/api/v1/releases/timeline').then(
      (b) => setPoints(b.releases),
      (e) => {
        if (e instanceof ApiError && e.status === 404) setPoints([]);
      },
    );
  }, [release]);
  return points;
}

function leaderOf(t: Totals | undefined, candidates: string[]): { name: string; by: string } | null {
  if (!t) return null;
  let best: string | null = null;
  let key: [number, number, number] = [-1, -1, -1];
  for (const c of candidates) {
    const l = t[c];
    if (!l) continue;
    const k: [number, number, number] = [Number(l.sde), l.final, l.first];
    if (k[0] > key[0] || (k[0] === key[0] && (k[1] > key[1] || (k[1] === key[1] && k[2] > key[2])))) {
      key = k;
      best = c;
    }
  }
  if (!best || (key[0] <= 0 && key[1] <= 0 && key[2] <= 0)) return null;
  return { name: best, by: key[0] > 0 ? `${t[best]?.sde} SDEs` : `${key[1] || key[2]} people` };
}

export function useLiveResults(): { results: Results | null; election: Election | null; error: string; live: boolean } {
  const [results, setResults] = useState<Results | null>(null);
  const [election, setElection] = useState<Election | null>(null);
  const [error, setError] = useState('');
  const [live, setLive] = useState(false);
  const pending = useRef<number | null>(null);
  const last = useRef(0);
  const etag = useRef('');

  const fetchResults = async (): Promise<number | null> => {
    last.current = Date.now();
    try {
      const res = await fetch('/api/v1/results', { headers: etag.current ? { 'If-None-Match': etag.current } : {} });
      if (res.status === 304) return null;
      if (!res.ok) throw new Error(`results: the server answered ${res.status}`);
      etag.current = res.headers.get('ETag') ?? '';
      const body = (await res.json()) as Results;
      setResults(body);
      setError('');
      return body.ledger?.seq ?? 0;
    } catch (e) {
      setError(describeError(e));
      return null;
    }
  };
  const schedule = () => {
    if (pending.current !== null) return;
    const wait = Math.max(0, last.current + REFETCH_MS - Date.now());
    pending.current = window.setTimeout(() => {
      pending.current = null;
      void fetchResults();
    }, wait);
  };

  useEffect(() => {
    get<Election>('/api/v1/election').then(setElection, (e) => setError(describeError(e)));
    let source: EventSource | null = null;
    let stopped = false;
    void fetchResults().then((seq) => {
      if (stopped) return;
      // Only what comes after the ledger position we have: a new page never replays the ledger.
      (seq !== null ? Promise.resolve(seq) : get<Election>('/api/v1/election').then((e) => e.seq))
        .then((after) => {
          if (stopped) return;
          source = new EventSource(`/api/v1/events?after=${after}`);
          source.onopen = () => setLive(true);
          source.onerror = () => setLive(false);
          source.onmessage = schedule;
          for (const type of [
            'first-alignment-reported', 'final-alignment-reported', 'tie-outcome-recorded', 'report-confirmed',
            'report-corrected', 'campaign-attestation', 'photo-attached', 'hotline-entry', 'release-published',
          ]) {
            source.addEventListener(type, schedule);
          }
        })
        .catch(() => setLive(false));
    });
    return () => {
      stopped = true;
      source?.close();
      if (pending.current !== null) window.clearTimeout(pending.current);
    };
  }, []);
  return { results, election, error, live };
}

export function ResultsPage() {
  const { results, election, error, live } = useLiveResults();
  const [view, setView] = useState<'computed' | 'reported'>('computed');
  const [precincts, setPrecincts] = useState<PrecinctSummary[]>([]);
  const [county, setCounty] = useState('');
  const release = useLatestRelease(results?.ledger.seq);
  const timeline = useTimeline(release?.number);
  const seq = results?.ledger.seq ?? 0;

  useEffect(() => {
    if (!results) return;
    get<{ precincts: PrecinctSummary[] }>('/api/v1/precincts').then((b) => setPrecincts(b.precincts), () => undefined);
  }, [results?.reporting.included, results?.reporting.complete, results?.reporting.confirmed]);

  const candidates = election?.candidates ?? [];
  const tab = results?.totals?.[view];
  const fills = useMemo(() => {
    const m = new Map<string, CountyFill>();
    if (!tab) return m;
    for (const [name, t] of Object.entries(tab.counties)) {
      const lead = leaderOf(t, candidates);
      if (lead) m.set(countyKey(name), { colour: colourOf(candidates, lead.name), label: `${name}: ${lead.name} leads (${lead.by})` });
    }
    return m;
  }, [tab, candidates]);

  if (!results || !election) {
    return error ? <Alert kind="error">{error}</Alert> : <p>Loading results…</p>;
  }
  if (results.created === false) return <Alert kind="info">No election has been set up on this server yet.</Alert>;
  const src = sourceOf(seq, release);
  const state = tab?.state ?? {};
  const nat = tab?.national?.total ?? {};
  const shares = tab?.summary?.shares ?? {};
  // The totals carry the early and in-person parts only when the ruleset enables early vote.
  const earlyVote = Object.values(state).some((l) => l.first_early !== undefined);
  const r = results.reporting;
  const inSet = new Set(r.in);
  const reporting = precincts.filter((p) => inSet.has(p.id) && (!county || p.county === county));

  return (
    <div class="results">
      <header class="results-head">
        <h1>{election.name}</h1>
        <p class="muted">
          Rules {election.ruleset.name} v{election.ruleset.version} ({election.ruleset.hash.slice(0, 12)}) ·{' '}
          <span class={live ? 'live on' : 'live'} data-testid="live">{live ? 'Live' : 'Not live'}</span> · built from ledger position{' '}
          <a href={src.href} title={src.title} data-testid="ledger-seq">{seq}</a>
          {release ? ` · release ${release.number}` : ''}
        </p>
      </header>

      <section class="card reporting" aria-labelledby="rep-h">
        <h2 id="rep-h">Reporting</h2>
        <p class="big">
          <N value={`${r.percent_complete}%`} source={src} testid="percent" label="Precincts complete" /> of precincts complete
        </p>
        <p>
          <N value={r.complete} source={src} testid="complete" label="Precincts with both alignments" /> of {r.precincts.toLocaleString('en-US')} precincts have reported both alignments;{' '}
          <N value={r.included} source={src} testid="reported" label="Precincts counted with at least the first alignment" /> are counted with at least the first; and{' '}
          <N value={r.confirmed} source={src} label="Precincts confirmed by their chairs" /> confirmed by their chairs.
        </p>
        {r.held > 0 && (
          <p data-testid="held-note">
            <N value={r.held} source={src} testid="held" label="Precincts held back by the anomaly gate" />{' '}
            {r.held === 1 ? 'precinct is' : 'precincts are'} held back: {r.held === 1 ? 'its report failed' : 'their reports failed'} a check for a
            duplicate or a shifted column, so {r.held === 1 ? 'it counts' : 'they count'} in no figure here until corrected or cleared by the
            party. {r.held === 1 ? 'Its' : 'Their'} reported figures stay on {r.held === 1 ? 'its' : 'their'} precinct page.
          </p>
        )}
      </section>

      <section class="card" aria-labelledby="totals-h">
        <div class="row-between">
          <h2 id="totals-h">State totals</h2>
          <fieldset class="toggle">
            <legend class="sr-only">Which figures</legend>
            <label>
              <input type="radio" name="view" checked={view === 'computed'} onChange={() => setView('computed')} /> As the rules compute them
            </label>
            <label>
              <input type="radio" name="view" checked={view === 'reported'} onChange={() => setView('reported')} /> As reported
            </label>
          </fieldset>
        </div>
        <div class="table-wrap">
          <table class="totals" data-testid="totals">
            <caption class="sr-only">State totals by candidate</caption>
            <thead>
              <tr>
                <th scope="col">Candidate</th>
                <th scope="col" class="n">
                  First<span class="wide-only"> alignment</span>
                </th>
                <th scope="col" class="n">
                  Final<span class="wide-only"> alignment</span>
                </th>
                <th scope="col" class="n">
                  <span class="sr-only">Share of the final alignment, </span>%
                </th>
                <th scope="col" class="n">
                  <abbr title="State delegate equivalents">SDEs</abbr>
                </th>
                <th scope="col" class="n">
                  <span class="sr-only">Share of SDEs, </span>%
                </th>
                <th scope="col" class="n">
                  <span class="wide-only">National delegates</span>
                  <abbr class="narrow-only" title="National delegates">Nat. del.</abbr>
                </th>
              </tr>
            </thead>
            <tbody>
              {candidates.map((c) => {
                const l = state[c];
                return (
                  <tr key={c} data-candidate={c}>
                    <th scope="row">
                      <span class="swatch" style={{ background: colourOf(candidates, c) }} aria-hidden="true" />
                      {c}
                    </th>
                    <td class="n"><N value={l?.first ?? 0} source={src} testid={`first-${c}`} label={`${c}, first alignment`} tab={false} /></td>
                    <td class="n"><N value={l?.final ?? 0} source={src} testid={`final-${c}`} label={`${c}, final alignment`} /></td>
                    <td class="n share" data-testid={`final-share-${c}`}>{shares[c]?.final ?? '0.00'}</td>
                    <td class="n"><N value={l?.sde ?? '0'} source={src} testid={`sde-${c}`} label={`${c}, SDEs`} tab={false} /></td>
                    <td class="n share" data-testid={`sde-share-${c}`}>{shares[c]?.sde ?? '0.00'}</td>
                    <td class="n"><N value={nat[c] ?? 0} source={src} testid={`national-${c}`} label={`${c}, national delegates`} tab={false} /></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p class="muted" data-testid="national-note">{nationalNote(tab?.national)}</p>
        <div class="leaders">
          <p data-testid="leader-sde">{leaderText(tab?.summary?.leader.sde ?? null, 'sde')}</p>
          <p data-testid="leader-final">{leaderText(tab?.summary?.leader.final ?? null, 'final')}</p>
        </div>
        {earlyVote && (
          <>
            <h3 id="early-h">Early vote and in person</h3>
            <p class="muted">
              The alignments above count each reporting precinct's early-vote cards with the people in the room, as the rules do: a card counts for
              its first choice at the first alignment, and at the final one stays, moves to its highest viable choice, or counts for nobody.
            </p>
            <EarlyVoteTable state={state} candidates={candidates} source={src} />
          </>
        )}
      </section>

      <section class="card" aria-labelledby="timeline-h">
        <h2 id="timeline-h">Release by release</h2>
        <Timeline points={timeline} side={view} candidates={candidates} />
      </section>

      <div class="two-col wide">
        <section class="card" aria-labelledby="map-h">
          <h2 id="map-h">Counties by leader</h2>
          <IowaMap fills={fills} onSelect={(c) => setCounty(county === c ? '' : c)} />
          <ul class="legend">
            {candidates
              .filter((c) => [...fills.values()].some((f) => f.colour === colourOf(candidates, c)))
              .map((c) => (
                <li key={c}>
                  <span class="swatch" style={{ background: colourOf(candidates, c) }} aria-hidden="true" /> {c}
                </li>
              ))}
          </ul>
          <details>
            <summary>Leaders by county (table)</summary>
            <ul class="county-list">
              {Object.keys(tab?.counties ?? {})
                .sort()
                .map((name) => {
                  const lead = leaderOf(tab?.counties[name], candidates);
                  return (
                    <li key={name}>
                      <button type="button" class="link" onClick={() => setCounty(name)}>{name}</button>: {lead ? `${lead.name} (${lead.by})` : 'no results'}
                    </li>
                  );
                })}
            </ul>
          </details>
        </section>

        <section class="card" aria-labelledby="in-h">
          <h2 id="in-h">
            Precincts in{county ? ` — ${county}` : ''} ({reporting.length})
          </h2>
          {county && (
            <button type="button" class="link" onClick={() => setCounty('')}>
              Show every county
            </button>
          )}
          <ul class="precinct-list" data-testid="precincts-in">
            {reporting.slice(0, 500).map((p) => (
              <li key={p.id}>
                <a href={`#/precinct/${p.id}`}>
                  {p.county} / {p.precinct}
                </a>{' '}
                <StatusBadge status={p.status} />
                {p.flagged && <span class="tag error">findings</span>}
                {p.disputed && <span class="tag warn">disputed</span>}
              </li>
            ))}
          </ul>
          {reporting.length > 500 && <p class="muted">and {reporting.length - 500} more: pick a county on the map.</p>}
        </section>
      </div>
      {error && <Alert kind="error">{error}</Alert>}
    </div>
  );
}
