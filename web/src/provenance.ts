// Where a published number comes from: the release that holds it when releases are published
// (GET /api/v1/releases/latest), else the ledger position the results were built from. A server
// without releases answers 404 there, and the pages link to the ledger instead.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get } from './api';

export interface ReleaseRef {
  number: string;
  seq: number | null;
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
  const seqValue = r['seq'] ?? r['ledger_seq'] ?? ledger?.['seq'];
  const href = typeof r['url'] === 'string' ? r['url'] : typeof r['href'] === 'string' ? r['href'] : `/api/v1/releases/${number}`;
  const published = r['published'] ?? r['time'] ?? r['created'];
  return {
    number: String(number),
    seq: typeof seqValue === 'number' ? seqValue : null,
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

// The latest release, asked again whenever `seq` changes; null when there is none yet or the
// server publishes no releases (404).
export function useLatestRelease(seq: number | undefined): ReleaseRef | null {
  const [release, setRelease] = useState<ReleaseRef | null>(null);
  useEffect(() => {
    if (seq === undefined) return;
    get<unknown>('/api/v1/releases/latest').then(
      (b) => setRelease(parseRelease(b)),
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
  if (release && (release.seq === null || release.seq === ledgerSeq)) {
    return { href: release.href, title: `from release ${release.number}` };
  }
  return {
    href: `/api/v1/ledger?after=${Math.max(0, ledgerSeq - 1)}&limit=1`,
    title: `from the ledger at position ${ledgerSeq}`,
  };
}
