// The public audit page (#/audit): the request deadline and the ruleset's review settings; every
// recanvass or recount request with the ledger position its eligibility was judged on and, per
// precinct, the evidence, the claims, their eligibility (would a national delegate change), the
// party's decision, its cost and the campaign's answer, when and where the packet is opened, each
// entry with the campaigns whose observers were present, the layers the engine found and the
// correction, each with its ledger position; the risk-limiting audit (src/rla.tsx); and the
// materiality list. Follows the ledger.
import { useEffect, useState } from 'preact/hooks';
import { get, type Election } from '../api';
import {
  CostsText, DecisionText, EntryView, EvidenceLinks, ScheduleText, Seq, fieldLabel, useLiveJson,
  type AuditRecord, type MaterialityList, type ReviewPrecinct, type ReviewRequest,
} from '../reviews';
import { RlaSection } from '../rla';
import { Alert } from '../ui';

const PAGE = 50; // rows of the materiality table shown at once

export function AuditPage() {
  const audit = useLiveJson<AuditRecord>('/api/v1/audit');
  const [election, setElection] = useState<Election | null>(null);
  useEffect(() => void get<Election>('/api/v1/election').then(setElection, () => undefined), []);
  const a = audit.body;
  const candidates = election?.candidates ?? [];
  return (
    <div class="audit">
      <h1>After the night: recanvass, recount, materiality and the risk-limiting audit</h1>
      {audit.error && <Alert kind="error">{audit.error}</Alert>}
      {!a ? (
        <p class="muted">Loading…</p>
      ) : (
        <>
          <section class="card" aria-labelledby="rules-h">
            <h2 id="rules-h">Requests and their rules</h2>
            <p class="muted">
              Built from ledger position <span data-testid="audit-seq">{a.seq}</span>; ruleset {a.ruleset.name} ({a.ruleset.hash.slice(0, 12)}).
            </p>
            {a.review === null ? (
              <p data-testid="no-review">This ruleset defines no recanvass or recount.</p>
            ) : (
              <dl class="facts-list">
                <div>
                  <dt>Requests due by</dt>
                  <dd data-testid="deadline">
                    {a.deadline ?? 'not open yet: requests open with the first release in which every precinct has its final alignment'}
                  </dd>
                </div>
                <div>
                  <dt>Who may ask</dt>
                  <dd data-testid="request-roles">{a.review.request_roles.join(', ')}</dd>
                </div>
                <div>
                  <dt>Time to ask</dt>
                  <dd data-testid="request-hours">{a.review.request_hours} hours after that release</dd>
                </div>
                <div>
                  <dt>The party answers within</dt>
                  <dd data-testid="answer-hours">{a.review.answer_hours} hours</dd>
                </div>
                <div>
                  <dt>Costs accepted within</dt>
                  <dd>{a.review.cost_hours} hours</dd>
                </div>
                <div>
                  <dt>Claims for one's own candidate</dt>
                  <dd>{a.review.claims_for_self ? 'allowed' : 'not allowed'}</dd>
                </div>
                <div>
                  <dt>A recanvass corrects</dt>
                  <dd data-testid="recanvass-corrects">{a.review.recanvass_corrects.join(', ') || 'nothing'}</dd>
                </div>
              </dl>
            )}
          </section>
          <section class="card" aria-labelledby="requests-h">
            <h2 id="requests-h">Requests ({a.requests.length})</h2>
            {a.requests.length === 0 && <p class="muted">No request has been filed.</p>}
            {[...a.requests].reverse().map((r) => (
              <RequestView key={r.seq} r={r} candidates={candidates} />
            ))}
          </section>
        </>
      )}
      <RlaSection candidates={candidates} />
      <Materiality />
    </div>
  );
}

function RequestView(props: { r: ReviewRequest; candidates: string[] }) {
  const r = props.r;
  return (
    <article class="request" data-testid={`request-${r.seq}`} aria-labelledby={`request-${r.seq}-h`}>
      <h3 id={`request-${r.seq}-h`}>
        {r.kind === 'recount' ? 'Recount' : 'Recanvass'} requested by {r.requester}
      </h3>
      <p>
        Ledger event <Seq seq={r.seq} testid={`request-${r.seq}-seq`} />, {r.time}; due by {r.deadline}.
        <br />
        Reason: <span data-testid={`request-${r.seq}-reason`}>{r.reason}</span>
        <br />
        {r.judged_on !== null ? (
          <>
            Eligibility judged on the results at ledger position <Seq seq={r.judged_on} testid={`request-${r.seq}-judged-on`} />
          </>
        ) : (
          <span data-testid={`request-${r.seq}-judged-on`}>Eligibility not judged: no figures claimed</span>
        )}
      </p>
      {r.precincts.map((p) => (
        <PrecinctReview key={p.precinct} p={p} testid={`review-${r.seq}-${p.precinct}`} candidates={props.candidates} />
      ))}
    </article>
  );
}

function PrecinctReview(props: { p: ReviewPrecinct; testid: string; candidates: string[] }) {
  const p = props.p;
  const t = props.testid;
  const el = p.eligibility;
  return (
    <div class="review-precinct" data-testid={t}>
      <h4>
        <a href={`#/precinct/${p.precinct}`}>
          {p.county} / {p.name}
        </a>{' '}
        <span class="muted">(now at revision {p.revision})</span>
      </h4>
      {p.reason && <p>Reason: {p.reason}</p>}
      {p.evidence.length > 0 && (
        <div>
          Evidence:
          <EvidenceLinks hashes={p.evidence} testid={`${t}-evidence`} />
        </div>
      )}
      {p.claims.length > 0 && (
        <div class="table-wrap">
          <table data-testid={`${t}-claims`}>
            <caption class="sr-only">Claimed figures</caption>
            <thead>
              <tr>
                <th scope="col">Figure</th>
                <th scope="col">Candidate</th>
                <th scope="col" class="n">Reported</th>
                <th scope="col" class="n">Claimed</th>
              </tr>
            </thead>
            <tbody>
              {p.claims.map((c, i) => (
                <tr key={i}>
                  <td>{fieldLabel(c.field)}</td>
                  <th scope="row">{c.candidate}</th>
                  <td class="n" data-testid={`${t}-claim-${i}-reported`}>{c.reported}</td>
                  <td class="n" data-testid={`${t}-claim-${i}-claimed`}>{c.claimed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p data-testid={`${t}-eligibility`}>
        <strong>Eligibility</strong> (would a national delegate change, on the figures as they stand):{' '}
        {el === null
          ? p.claims.length === 0
            ? 'no figures claimed'
            : 'not computed (the ruleset has no national pools)'
          : el.error !== undefined
            ? `not computed: ${el.error}`
            : el.eligible
              ? `yes: ${(el.pools ?? []).map((x) => x.text).join('; ') || (el.failed_assertions ?? []).join('; ')}`
              : 'no'}
      </p>
      <p>
        <strong>Decision</strong>:{' '}
        {p.decision ? <DecisionText d={p.decision} testid={`${t}-decision`} /> : <span data-testid={`${t}-decision`}>awaiting the party's answer</span>}
        {p.decisions.length > 1 && <span class="muted"> (after {p.decisions.length - 1} earlier decision{p.decisions.length > 2 ? 's' : ''})</span>}
      </p>
      {p.costs && (
        <p>
          <strong>Costs</strong>: <CostsText costs={p.costs} testid={`${t}-costs`} />
        </p>
      )}
      {p.schedule && (
        <p>
          <strong>Schedule</strong>: <ScheduleText schedule={p.schedule} testid={`${t}-schedule`} />
        </p>
      )}
      {p.entries.map((e, i) => (
        <EntryView key={e.seq} entry={e} candidates={props.candidates} testid={`${t}-entry-${i}`} />
      ))}
    </div>
  );
}

// The materiality list: which precincts could, alone, change a national delegate, and the smallest
// change that would. Filterable; long lists are shown a page at a time.
function Materiality() {
  const m = useLiveJson<MaterialityList>('/api/v1/audit/materiality');
  const [filter, setFilter] = useState('');
  const [only, setOnly] = useState<'possibly' | 'material' | 'all'>('possibly');
  const [shown, setShown] = useState(PAGE);
  const body = m.body;
  const f = filter.trim().toLowerCase();
  const rows = (body?.precincts ?? []).filter(
    (p) =>
      (only === 'all' || (only === 'material' ? p.material : p.possibly_material)) &&
      (!f || `${p.county} ${p.precinct}`.toLowerCase().includes(f)),
  );
  return (
    <section class="card" aria-labelledby="mat-h">
      <h2 id="mat-h">Materiality</h2>
      {!body ? (
        <p class="muted" data-testid="materiality-unavailable">{m.unavailable ? m.error : m.error || 'Loading…'}</p>
      ) : (
        <>
          <p class="muted">
            Whether a change confined to one precinct could alter any national delegate, on the {body.side} figures at ledger position{' '}
            <span data-testid="materiality-seq">{body.seq}</span>.
          </p>
          <dl class="facts-list">
            <div>
              <dt>Precincts</dt>
              <dd data-testid="mat-precincts">{body.summary.precincts}</dd>
            </div>
            <div>
              <dt>Possibly material</dt>
              <dd data-testid="mat-possibly">{body.summary.possibly_material}</dd>
            </div>
            <div>
              <dt>Material</dt>
              <dd data-testid="mat-material">{body.summary.material}</dd>
            </div>
            <div>
              <dt>By moving delegates between a pair</dt>
              <dd data-testid="mat-pair">{body.summary.by_moving_delegates}</dd>
            </div>
            <div>
              <dt>Only by the whole precinct</dt>
              <dd data-testid="mat-whole">{body.summary.only_by_all_delegates}</dd>
            </div>
          </dl>
          <fieldset class="toggle">
            <legend>Show</legend>
            <label>
              <input type="radio" name="mat-show" checked={only === 'possibly'} onChange={() => { setOnly('possibly'); setShown(PAGE); }} /> Possibly material
            </label>
            <label>
              <input type="radio" name="mat-show" checked={only === 'material'} onChange={() => { setOnly('material'); setShown(PAGE); }} /> Material
            </label>
            <label>
              <input type="radio" name="mat-show" checked={only === 'all'} onChange={() => { setOnly('all'); setShown(PAGE); }} /> Every precinct
            </label>
          </fieldset>
          <label for="mat-filter">Find a precinct (county or name)</label>
          <input
            id="mat-filter"
            value={filter}
            onInput={(e) => {
              setFilter((e.target as HTMLInputElement).value);
              setShown(PAGE);
            }}
          />
          <p class="muted" data-testid="mat-count">
            {rows.length} precinct{rows.length === 1 ? '' : 's'} match
          </p>
          <div class="table-wrap">
            <table data-testid="materiality">
              <caption class="sr-only">Possibly material precincts, their bound and the smallest change that alters a national delegate</caption>
              <thead>
                <tr>
                  <th scope="col">Precinct</th>
                  <th scope="col" class="n">Bound</th>
                  <th scope="col">Smallest change that alters a national delegate</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, shown).map((p) => (
                  <tr key={`${p.county}/${p.precinct}`} data-county={p.county} data-precinct={p.precinct}>
                    <th scope="row">
                      {p.county} / {p.precinct}
                    </th>
                    <td class="n" data-col="bound">{p.bound ?? 'unbounded'}</td>
                    <td>
                      <span data-col="change">
                      {p.smallest_change
                        ? p.smallest_change.text
                        : !p.bounded
                          ? 'no computed SDEs: counted as possibly material'
                          : p.possibly_material
                            ? 'none found by moving delegates'
                            : 'cannot alter one'}
                      </span>
                      {p.assertion && <div class="muted" data-col="assertion">closest: {p.assertion}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows.length > shown && (
            <button type="button" onClick={() => setShown(shown + PAGE)}>
              Show more ({rows.length - shown} not shown)
            </button>
          )}
        </>
      )}
    </section>
  );
}
