import { useEffect, useState } from 'preact/hooks';

// The signed-in session: the tokens register, login and refresh answer (README "Sessions"),
// kept in localStorage so a reload stays signed in, and shared by every tab through the storage
// event. The refresh token rotates on each use (api/client.ts refreshes one at a time).

export interface Session {
  userId: string;
  username: string;
  sessionId: string;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
}

const KEY = 'instagram-es.session';
const listeners = new Set<(session: Session | null) => void>();

const read = (): Session | null => {
  try {
    const text = localStorage.getItem(KEY);
    return text ? (JSON.parse(text) as Session) : null;
  } catch {
    return null;
  }
};

let current: Session | null = read();

const publish = () => {
  for (const listener of listeners) listener(current);
};

export const getSession = () => current;

export const setSession = ({ userId, username, sessionId, accessToken, accessTokenExpiresAt, refreshToken }: Session) => {
  current = { userId, username, sessionId, accessToken, accessTokenExpiresAt, refreshToken };
  localStorage.setItem(KEY, JSON.stringify(current));
  publish();
};

export const clearSession = () => {
  current = null;
  localStorage.removeItem(KEY);
  publish();
};

window.addEventListener('storage', (event) => {
  if (event.key !== KEY) return;
  current = read();
  publish();
});

export const useSession = (): Session | null => {
  const [session, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return session;
};
