// Logged-in sessions, one per role, kept in localStorage so a phone that reloads (or loses the
// network) keeps its chair logged in. Only the token is secret, and it expires in 24 hours.
import { call, type Session } from './api';

const key = (role: string) => `canvass.session.${role}`;

export function loadSession(role: string): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(key(role)) ?? 'null') as Session | null;
    if (!s || s.role !== role) return null;
    if (s.expires * 1000 < Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: Session): void {
  localStorage.setItem(key(s.role), JSON.stringify(s));
}

export function clearSession(role: string): void {
  localStorage.removeItem(key(role));
}

export async function login(code: string): Promise<Session> {
  const { body } = await call<Session>('POST', '/api/v1/session', { body: { code } });
  saveSession(body);
  return body;
}
