// Small pieces every page shares: the login form, messages, figure inputs, links to provenance.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, describeError, type Session } from './api';
import { clearSession, loadSession, login } from './session';

export function Login(props: { role: string; title: string; onSession: (s: Session) => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const id = `code-${props.role}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const s = await login(code);
      if (s.role !== props.role) {
        clearSession(s.role);
        setError(`That is a ${s.role}'s code; this page is for the ${props.role}.`);
      } else {
        props.onSession(s);
      }
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card login" onSubmit={submit}>
      <h2>{props.title}</h2>
      <label for={id}>Access code from your packet</label>
      <input
        id={id}
        name="code"
        autocomplete="off"
        autocapitalize="characters"
        spellcheck={false}
        placeholder="XXXX-XXXX-XXXX-XXXX"
        value={code}
        onInput={(e) => setCode((e.target as HTMLInputElement).value)}
        required
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Checking…' : 'Log in'}
      </button>
      {error && <Alert kind="error">{error}</Alert>}
    </form>
  );
}

export function useSession(role: string): [Session | null, (s: Session | null) => void] {
  const [session, setSession] = useState<Session | null>(() => loadSession(role));
  return [
    session,
    (s) => {
      if (!s) clearSession(role);
      setSession(s);
    },
  ];
}

export function Alert(props: { kind: 'error' | 'info' | 'ok' | 'warn'; children: ComponentChildren }) {
  return (
    <div class={`alert ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function LogoutBar(props: { session: Session; onLogout: () => void; children?: ComponentChildren }) {
  return (
    <div class="logout-bar">
      <span>
        Logged in as <strong>{props.session.role}</strong> {props.session.subject}
      </span>
      {props.children}
      <button type="button" class="link" onClick={props.onLogout}>
        Log out
      </button>
    </div>
  );
}

// One count input per candidate; an empty box counts 0.
export function FigureInputs(props: {
  idPrefix: string;
  legend: string;
  candidates: string[];
  values: Record<string, string>;
  onChange: (name: string, value: string) => void;
  disabled?: boolean;
}) {
  return (
    <fieldset class="figures" disabled={props.disabled}>
      <legend>{props.legend}</legend>
      {props.candidates.map((c) => {
        const id = `${props.idPrefix}-${c}`;
        return (
          <div class="figure" key={c}>
            <label for={id}>{c}</label>
            <input
              id={id}
              data-candidate={c}
              type="number"
              inputMode="numeric"
              min={0}
              step={1}
              value={props.values[c] ?? ''}
              onInput={(e) => props.onChange(c, (e.target as HTMLInputElement).value)}
            />
          </div>
        );
      })}
    </fieldset>
  );
}

// Only the nonzero counts, as the API takes them.
export function toFigures(values: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v.trim() === '') continue;
    const n = Number(v);
    if (Number.isFinite(n) && n !== 0) out[k] = n;
  }
  return out;
}

export function StatusBadge(props: { status: string }) {
  return <span class={`badge status-${props.status}`}>{props.status.replace(/-/g, ' ')}</span>;
}

// A write the API refused: its message, the field it names and its code, shown beside the form.
export interface Refusal { text: string; field: string | null; code: string }

export const refusalOf = (e: unknown): Refusal => ({
  text: describeError(e),
  field: e instanceof ApiError ? e.field : null,
  code: e instanceof ApiError ? e.code : '',
});

export function RefusalText(props: { msg: Refusal | null; testid: string }) {
  const m = props.msg;
  if (!m) return null;
  return (
    <p class="field-error" role="alert" data-testid={props.testid} data-field={m.field ?? ''} data-code={m.code}>
      {m.text}
      {m.field ? <> <code>{m.field}</code></> : null}
    </p>
  );
}
