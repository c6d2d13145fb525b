// A precinct's worksheet as the server computed it: attendance, threshold, viability, the lock,
// each group's delegates with the reason for each number (the allocation's notes), ties and
// findings. Display only: the numbers all come from the API.
import { Fragment } from 'preact';
import type { Precinct } from './api';
import { colourOf } from './palette';

// `testid` prefixes the data-testid of each figure ("ws" by default), so that two worksheets (the
// report and a correction's preview) can stand on one page. While a tie is open, the tied groups'
// delegates are "pending": the rounded figures the server shows them with are not an allocation.
export function Worksheet(props: { precinct: Precinct; candidates: string[]; testid?: string }) {
  const p = props.precinct;
  const t = props.testid ?? 'ws';
  const pendingTie = p.ties.pending ?? p.computed?.pending_tie ?? null;
  const tiedPending = (n: string) => !!pendingTie && pendingTie.candidates.includes(n);
  const v = p.viability;
  const a = p.computed;
  const first = p.reported.first ?? {};
  const final = p.reported.final ?? {};
  const reportedDelegates = p.reported.delegates;
  const names = a
    ? a.groups.map((g) => g.candidate)
    : props.candidates.filter((c) => (first[c] ?? 0) > 0);
  return (
    <div class="worksheet" data-testid={t === 'ws' ? 'worksheet' : `${t}-worksheet`}>
      {v && (
        <dl class="facts-list">
          <div>
            <dt>Attendance (T)</dt>
            <dd data-testid={`${t}-attendance`}>{v.attendance}</dd>
          </div>
          <div>
            <dt>Viable with at least</dt>
            <dd data-testid={`${t}-threshold-head-count`}>{v.threshold_head_count} people</dd>
          </div>
          <div>
            <dt>Viable</dt>
            <dd data-testid={`${t}-viable`}>{v.viable.join(', ') || 'none'}</dd>
          </div>
          <div>
            <dt>Locked in</dt>
            <dd data-testid={`${t}-locked`}>{v.locked.join(', ') || 'none'}</dd>
          </div>
        </dl>
      )}
      {names.length > 0 && (
        <div class="table-wrap">
          <table class="groups">
            <caption class="sr-only">Each group's figures and delegates</caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col" class="n">First</th>
                {a && <th scope="col" class="n">Final</th>}
                {a && (
                  <th scope="col" class="n">
                    <span class="wide-only">Delegates{pendingTie ? ' (tie open)' : ''}</span>
                    <abbr class="narrow-only" title="Delegates by the rules">Del.</abbr>
                  </th>
                )}
                {a && reportedDelegates && (
                  <th scope="col" class="n">
                    <span class="wide-only">On worksheet</span>
                    <abbr class="narrow-only" title="Delegates on your worksheet">Sheet</abbr>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {names.map((n) => {
                const g = a?.groups.find((x) => x.candidate === n);
                const viable = v?.viable.includes(n);
                const columns = 2 + (a ? 2 : 0) + (a && reportedDelegates ? 1 : 0);
                return (
                  <Fragment key={n}>
                    <tr data-group={n} class={g?.notes?.length ? 'has-notes' : undefined}>
                      <th scope="row">
                        <span class="swatch" style={{ background: colourOf(props.candidates, n) }} aria-hidden="true" />
                        {n}
                        {viable === false && !a && <span class="muted"> (not viable)</span>}
                        {g?.locked && <span class="tag">locked</span>}
                      </th>
                      <td class="n">{g ? g.first : (first[n] ?? 0)}</td>
                      {a && <td class="n">{g ? g.final : (final[n] ?? 0)}</td>}
                      {a && (
                        <td class="n" data-testid={`${t}-delegates-${n}`}>
                          {tiedPending(n) ? (
                            <em class="pending" title={`Pending: decided by the ${pendingTie?.breaker ?? 'game of chance'}`}>
                              pending
                            </em>
                          ) : (
                            <strong>{g?.delegates ?? 0}</strong>
                          )}
                        </td>
                      )}
                      {a && reportedDelegates && <td class="n">{reportedDelegates[n] ?? 0}</td>}
                    </tr>
                    {g?.notes && g.notes.length > 0 && (
                      <tr class="notes-row" data-group-notes={n}>
                        <td colSpan={columns}>
                          <ul class="notes">
                            {g.notes.map((note, i) => (
                              <li key={i}>{note}</li>
                            ))}
                          </ul>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {a && a.notes.length > 0 && (
        <ul class="notes allocation-notes" data-testid={`${t}-notes`}>
          {a.notes.map((note, i) => (
            <li key={i}>{note}</li>
          ))}
        </ul>
      )}
      {p.ties.pending && (
        <div class="alert warn" data-testid={`${t}-tie`}>
          Tie to resolve: {p.ties.pending.candidates.join(' and ')} ({p.ties.pending.kind} of{' '}
          {p.ties.pending.delegates_at_stake} delegate{p.ties.pending.delegates_at_stake === 1 ? '' : 's'}
          ), by {p.ties.pending.breaker}.
        </div>
      )}
      {p.ties.recorded.length > 0 && (
        <ul class="notes" data-testid={`${t}-ties-recorded`}>
          {p.ties.recorded.map((t, i) => (
            <li key={i}>
              Tie {t.tied.join(', ')}: favoured {t.favoured.join(', ')} ({t.detail})
            </li>
          ))}
        </ul>
      )}
      {p.findings.length > 0 && (
        <ul class="findings" data-testid={`${t}-findings`}>
          {p.findings.map((f, i) => (
            <li key={i} class={`finding ${f.severity}`}>
              <strong>{f.severity}</strong> <code>{f.code}</code>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
