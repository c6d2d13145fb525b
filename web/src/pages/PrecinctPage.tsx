// One precinct, public: both alignments, the allocation with its reasons, findings, campaign
// attestations, the worksheet photos beside the figures (thumbnails that open full size, with their
// hashes) and the ledger events that made it (its revision history).
import { useEffect, useState } from 'preact/hooks';
import { describeError, get, type Election, type Precinct } from '../api';
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
