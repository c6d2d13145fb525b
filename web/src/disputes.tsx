// A precinct's current disputes, with their reasons: each campaign's latest verdict on the
// current revision, where that verdict is a dispute (what the server's `disputed` flag reads).
import type { Precinct } from './api';

export function standingDisputes(p: Precinct): Precinct['attestations'] {
  const last = new Map<string, Precinct['attestations'][number]>();
  for (const a of p.attestations) if (a.revision === p.revision) last.set(a.campaign, a);
  return [...last.values()].filter((a) => a.verdict === 'dispute');
}

// "Disputed by Klobuchar: our observer counted 29": shown beside a disputed precinct.
export function DisputeReasons(props: { precinct: Precinct }) {
  const disputes = standingDisputes(props.precinct);
  if (disputes.length === 0) return null;
  return (
    <ul class="dispute-reasons" data-testid="dispute-reasons" aria-label="Why this report is disputed">
      {disputes.map((a) => (
        <li key={a.seq} data-campaign={a.campaign}>
          Disputed by <strong>{a.campaign}</strong> (revision {a.revision}): {a.reason}
        </li>
      ))}
    </ul>
  );
}
