// Where a published number comes from: the release that holds it when releases are published
// (GET /api/v1/releases/latest), else the ledger position the results were built from. A server
// without releases answers 404 there, and the pages link to the ledger instead.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get } from './api';

export interface ReleaseRef {
  number: string;
  seq: number | null; // the last ledger event the release was built from (its prefix)
  eventSeq: number | null; // the release-published event itself, when known
  href: string;
  published?: string;
}

// Tolerant of the release's exact shape: {release: {...}} or the release itself.
export function parseRelease(body: unknown): ReleaseRef | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const r = (b['release'] && typeof b['release'] === 'object' ? b['release'] : b) as Record<string, unknown>;
  const number = r['number'] ?? r['id'] ?? r['release'] ?? r['sequence'];
  if (number === undefined || number === null || typeof number === 'object') return null;
  const ledger = r['ledger'] as Record<string, unknown> | undefined;
  // An index entry has ledger_seq (the prefix) and seq (its release-published event); the
  // release file has ledger.seq.
  const seqValue = r['ledger_seq'] ?? ledger?.['seq'] ?? r['seq'];
  const eventValue = r['ledger_seq'] !== undefined ? r['seq'] : undefined;
  const href = typeof r['url'] === 'string' ? r['url'] : typeof r['href'] === 'string' ? r['href'] : `/api/v1/releases/${number}`;
  const published = r['published'] ?? r['time'] ?? ledger?.['time'] ?? r['created'];
  return {
    number: String(number),
    seq: typeof seqValue === 'number' ? seqValue : null,
    eventSeq: typeof eventValue === 'number' ? eventValue : null,
    href,
    published: typeof published === 'string' ? published : undefined,
  };
}

export function parseReleases(body: unknown): ReleaseRef[] {
  const list = Array.isArray(body)
    ? body
    : body && typeof body === 'object' && Array.isArray((body as Record<string, unknown>)['releases'])
      ? ((body as Record<string, unknown>)['releases'] as unknown[])
      : [];
  return list.map(parseRelease).filter((r): r is ReleaseRef => r !== null);
}

// The latest release (from the index, GET /api/v1/releases), asked again whenever `seq` changes;
// null when there is none yet or the server publishes no releases (404).
export function useLatestRelease(seq: number | undefined): ReleaseRef | null {
  const [release, setRelease] = useState<ReleaseRef | null>(null);
  useEffect(() => {
    if (seq === undefined) return;
    get<unknown>('/api/v1/releases').then(
      (b) => {
        const all = parseReleases(b);
        const latest = (b as Record<string, unknown> | null)?.['latest'];
        setRelease(all.find((r) => latest !== undefined && latest !== null && r.number === String(latest)) ?? all[all.length - 1] ?? null);
      },
      (e) => {
        if (e instanceof ApiError && e.status === 404) setRelease(null);
      },
    );
  }, [seq]);
  return release;
}

export interface Source {
  href: string;
  title: string;
}

export function sourceOf(ledgerSeq: number, release: ReleaseRef | null): Source {
  // The results match the release when nothing but its own release-published event came after.
  if (release && (release.seq === ledgerSeq || release.eventSeq === ledgerSeq)) {
    return { href: release.href, title: `from release ${release.number}` };
  }
  return {
    href: `/api/v1/ledger?after=${Math.max(0, ledgerSeq - 1)}&limit=1`,
    title: `from the ledger at position ${ledgerSeq}`,
  };
}
