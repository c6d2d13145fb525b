// One precinct, public: both alignments, the allocation with its reasons, findings, campaign
// attestations, the worksheet photos beside the figures (thumbnails that open full size, with their
// hashes) and the ledger events that made it (its revision history). With early vote (Nevada), each
// alignment in person, early and in total.
import { useEffect, useState } from 'preact/hooks';
import { describeError, get, type Alignments, type Election, type Precinct } from '../api';
import { DisputeReasons } from '../disputes';
import { Alert, StatusBadge } from '../ui';
import { Worksheet } from '../worksheet';

interface LedgerLine {
  seq: number;
  type: string;
  time: string;
  channel: string;
  actor: { id: string; role: string };
  payload: Record<string, unknown>;
}

// The precinct's alignments by source: what the chair reported, what its early-vote cards add, and
// the total the rules allocate on.
function BySourceTable(props: { a: Alignments; candidates: string[] }) {
  const { a, candidates } = props;
  const named = candidates.filter((c) => (a.total.first[c] ?? 0) > 0 || (a.total.final?.[c] ?? 0) > 0);
  const parts = [
    ['in_person', 'in person'],
    ['early', 'early vote'],
    ['total', 'total'],
  ] as const;
  return (
    <div class="table-wrap">
      <table data-testid="precinct-early-vote">
        <thead>
          <tr class="side-head">
            <td />
            <th scope="colgroup" colSpan={3}>First<span class="wide-only"> alignment</span></th>
            <th scope="colgroup" colSpan={3}>Final<span class="wide-only"> alignment</span></th>
          </tr>
          <tr>
            <th scope="col">Group</th>
            {(['first', 'final'] as const).map((key) =>
              parts.map(([part, words]) => (
                <th scope="col" class="n" key={`${key}-${part}`}>
                  {part === 'in_person' ? (
                    <>
                      <span class="wide-only" aria-hidden="true">In person</span>
                      <abbr class="narrow-only" aria-hidden="true" title="In person">In p.</abbr>
                    </>
                  ) : (
                    <span aria-hidden="true">{part === 'early' ? 'Early' : 'Total'}</span>
                  )}
                  <span class="sr-only">{`${key} alignment, ${words}`}</span>
                </th>
              )),
            )}
          </tr>
        </thead>
        <tbody>
          {named.map((c) => (
            <tr key={c}>
              <th scope="row">{c}</th>
              {(['first', 'final'] as const).map((key) =>
                parts.map(([part]) => {
                  const side = a[part][key];
                  return (
                    <td class="n" key={`${key}-${part}`} data-testid={`pev-${key}-${part}-${c}`}>
                      {side ? (side[c] ?? 0) : '–'}
                    </td>
                  );
                }),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PrecinctPage(props: { id: number }) {
  const [p, setP] = useState<Precinct | null>(null);
  const [election, setElection] = useState<Election | null>(null);
  const [history, setHistory] = useState<LedgerLine[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    setP(null);
    setHistory([]);
    get<Election>('/api/v1/election').then(setElection, () => undefined);
    get<Precinct>(`/api/v1/precincts/${props.id}`).then(
      async (precinct) => {
        setP(precinct);
        const lines: LedgerLine[] = [];
        for (const seq of precinct.events ?? []) {
          const res = await fetch(`/api/v1/ledger?after=${seq - 1}&limit=1`);
          const text = (await res.text()).trim();
          if (text) lines.push(JSON.parse(text) as LedgerLine);
        }
        setHistory(lines);
      },
      (e) => setError(describeError(e)),
    );
  }, [props.id]);
  if (error) return <Alert kind="error">{error}</Alert>;
  if (!p || !election) return <p>Loading precinct…</p>;
  const candidates = election.candidates;
  const first = p.reported.first ?? {};
  const final = p.reported.final ?? {};
  const named = candidates.filter((c) => (first[c] ?? 0) > 0 || (final[c] ?? 0) > 0);
  return (
    <div class="precinct-page">
      <p>
        <a href="#/">← Results</a>
      </p>
      <h1>
        {p.county} / {p.precinct}
      </h1>
      <p>
        <StatusBadge status={p.status} /> revision {p.revision} · {p.delegates ?? '–'} delegates · channel {p.channel || '–'}
        {p.disputed && <span class="tag warn">disputed</span>}
      </p>
      {p.disputed && <DisputeReasons precinct={p} />}
      <div class="precinct-figures">
      <section class="card" aria-labelledby="align-h">
        <h2 id="align-h">Alignments as reported</h2>
        {named.length === 0 ? (
          <p class="muted">Not reported yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr class="side-head">
                  <td />
                  <th scope="colgroup" colSpan={3} data-testid="side-reported">
                    As reported
                  </th>
                  <th scope="colgroup" data-testid="side-computed">
                    As computed
                  </th>
                </tr>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col" class="n">
                    First<span class="sr-only"> alignment, as reported</span>
                  </th>
                  <th scope="col" class="n">
                    Final<span class="sr-only"> alignment, as reported</span>
                  </th>
                  <th scope="col" class="n">
                    <span aria-hidden="true">
                      <span class="wide-only">Delegates</span>
                      <abbr class="narrow-only" title="County delegates">Del.</abbr>
                    </span>
                    <span class="sr-only">County delegates, as reported</span>
                  </th>
                  <th scope="col" class="n">
                    <abbr aria-hidden="true" title="State delegate equivalents, as the rules compute them">SDEs</abbr>
                    <span class="sr-only">State delegate equivalents, as the rules compute them</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {named.map((c) => (
                  <tr key={c}>
                    <th scope="row">{c}</th>
                    <td class="n">{first[c] ?? 0}</td>
                    <td class="n">{p.reported.final ? (final[c] ?? 0) : '–'}</td>
                    <td class="n">{p.reported.delegates ? (p.reported.delegates[c] ?? 0) : '–'}</td>
                    <td class="n">{p.computed_sde?.[c] ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {p.alignments && (
        <section class="card" aria-labelledby="early-h">
          <h2 id="early-h">Early vote and in person</h2>
          <p class="muted">
            The chair reports the people in the room; the precinct's valid early-vote cards count with them as the rules say, and the total is
            what the delegates are allocated on.
          </p>
          <BySourceTable a={p.alignments} candidates={candidates} />
        </section>
      )}
      <section class="card" aria-labelledby="photo-h">
        <h2 id="photo-h">Worksheet photos</h2>
        {p.photos.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ul class="photos">
            {p.photos.map((h, i) => (
              <li key={h}>
                <a href={`/api/v1/photos/${h}`} target="_blank" rel="noopener" data-testid="photo-link">
                  <img
                    src={`/api/v1/photos/${h}`}
                    alt={`Worksheet photo ${i + 1} of ${p.county} / ${p.precinct} (opens full size)`}
                    loading="lazy"
                    data-testid="photo-thumb"
                  />
                </a>
                <span class="muted">
                  SHA-256 <code class="hash">{h}</code>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      </div>
      {p.viability && (
        <section class="card" aria-labelledby="alloc-h">
          <h2 id="alloc-h">Allocation as the rules compute it</h2>
          <Worksheet precinct={p} candidates={candidates} />
        </section>
      )}
      <section class="card" aria-labelledby="att-h">
        <h2 id="att-h">Campaign attestations</h2>
        {p.attestations.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ul>
            {p.attestations.map((a) => (
              <li key={a.seq}>
                <strong>{a.campaign}</strong> {a.verdict === 'dispute' ? 'disputes' : 'confirms'} revision {a.revision}
                {a.reason ? `: ${a.reason}` : ''}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="hist-h">
        <h2 id="hist-h">History (ledger events)</h2>
        {history.length === 0 ? (
          <p class="muted">No events yet.</p>
        ) : (
          <ol class="history">
            {history.map((e) => (
              <li key={e.seq}>
                <a href={`/api/v1/ledger?after=${e.seq - 1}&limit=1`}>#{e.seq}</a> {e.type} · {e.time} · {e.actor.role} ({e.channel})
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
