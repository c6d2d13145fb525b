// The outbox: every write a chair makes is kept in localStorage with its submission id
// (generated once, when the chair presses the button) before it is sent, and removed only when
// the server has answered. Lost network: it stays, and is sent again when the browser is back
// online (and every few seconds). The server's idempotent submission ids make a retry safe: a
// submission that did arrive before the network dropped answers with the first answer and
// writes nothing, so each report lands in the ledger exactly once.
import { ApiError, NetworkError, call, newSubmissionId, type WriteAnswer } from './api';

export interface Outgoing {
  submission: string;
  label: string; // what a chair reads: "First alignment for precinct 31"
  method: 'POST';
  path: string;
  token: string;
  body?: Record<string, unknown>;
  photo?: { base64: string; type: string };
  created: number;
  attempts: number;
  error?: string; // refused by the server: kept for the chair to read, not sent again
}

export interface Delivered {
  item: Outgoing;
  status: number;
  answer: WriteAnswer | null;
  error?: ApiError;
}

const KEY = 'canvass.outbox';
type Listener = (delivered?: Delivered) => void;
const listeners = new Set<Listener>();
let sending = false;
let online = typeof navigator === 'undefined' ? true : navigator.onLine;

export function outbox(): Outgoing[] {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '[]') as Outgoing[];
  } catch {
    return [];
  }
}

function store(items: Outgoing[]): void {
  localStorage.setItem(KEY, JSON.stringify(items));
}

function update(submission: string, change: (o: Outgoing) => Outgoing | null): void {
  const items: Outgoing[] = [];
  for (const o of outbox()) {
    if (o.submission !== submission) {
      items.push(o);
      continue;
    }
    const next = change(o);
    if (next) items.push(next);
  }
  store(items);
}

export function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

function emit(d?: Delivered): void {
  for (const l of listeners) l(d);
}

export function isOnline(): boolean {
  return online;
}

// Keeps a write and starts sending. The submission id is fixed here, once.
export function enqueue(
  item: Omit<Outgoing, 'submission' | 'created' | 'attempts'>,
): Outgoing {
  const o: Outgoing = { ...item, submission: newSubmissionId(), created: Date.now(), attempts: 0 };
  if (o.body) o.body = { ...o.body, submission: o.submission };
  store([...outbox(), o]);
  emit();
  void flush();
  return o;
}

export function discard(submission: string): void {
  update(submission, () => null);
  emit();
}

function decode(base64: string, type: string): Blob {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type });
}

// Sends what is waiting, oldest first; stops at the first that cannot reach the server.
export async function flush(): Promise<void> {
  if (sending) return;
  sending = true;
  try {
    for (;;) {
      const next = outbox().find((o) => !o.error);
      if (!next) break;
      update(next.submission, (o) => ({ ...o, attempts: o.attempts + 1 }));
      try {
        const { status, body } = next.photo
          ? await call<WriteAnswer>(next.method, next.path, {
              token: next.token,
              raw: decode(next.photo.base64, next.photo.type),
              headers: { 'Content-Type': next.photo.type, 'X-Submission-Id': next.submission },
            })
          : await call<WriteAnswer>(next.method, next.path, { token: next.token, body: next.body });
        online = true;
        update(next.submission, () => null);
        emit({ item: next, status, answer: body });
      } catch (e) {
        if (e instanceof NetworkError) {
          online = false;
          emit();
          break;
        }
        if (e instanceof ApiError && (e.status === 503 || e.status === 429 || e.status === 408)) {
          emit();
          break; // the server asks to send again later
        }
        const err = e instanceof ApiError ? e : new ApiError(0, 'internal', String(e));
        update(next.submission, (o) => ({ ...o, error: err.message }));
        emit({ item: next, status: err.status, answer: null, error: err });
      }
    }
  } finally {
    sending = false;
  }
}

let started = false;
export function startOutbox(): void {
  if (started || typeof window === 'undefined') return;
  started = true;
  window.addEventListener('online', () => {
    online = true;
    emit();
    void flush();
  });
  window.addEventListener('offline', () => {
    online = false;
    emit();
  });
  window.setInterval(() => {
    if (outbox().some((o) => !o.error)) void flush();
  }, 3000);
  void flush();
}
