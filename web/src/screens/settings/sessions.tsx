import { useEffect, useState } from 'preact/hooks';
import { api, type Answer } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/status';
import { Done, Section, useAction } from './form';

// The account's live sessions (README "sessions"), most recently used first, this one marked.
// Each other one can be ended; "all other sessions" ends them one by one (the API's logout-all
// would end this one too). An ended session's access tokens are refused at once and its streams
// close, so that device is back at its login screen at its next call.

type SessionItem = Answer<'/api/v1/auth/sessions', 'get'>['items'][number];

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "Chrome on Linux" from a User-Agent: enough to tell one's devices apart. */
export const deviceName = (agent: string) => {
  if (!agent) return 'Unknown device';
  const browser = /Edg\//.test(agent) ? 'Edge' : /Firefox\//.test(agent) ? 'Firefox' : /Chrome\//.test(agent) ? 'Chrome' : /Safari\//.test(agent) ? 'Safari' : /curl\//.test(agent) ? 'curl' : null;
  const system = /iPhone|iPad/.test(agent) ? 'iOS' : /Android/.test(agent) ? 'Android' : /Windows/.test(agent) ? 'Windows' : /Mac OS X/.test(agent) ? 'macOS' : /Linux/.test(agent) ? 'Linux' : null;
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? agent.slice(0, 40);
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const SessionsSection = ({ version }: { version: number }) => {
  const [items, setItems] = useState<SessionItem[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const { error, done, busy, run } = useAction();

  const load = async () => {
    setLoadError(null);
    try {
      setItems((await api.get('/api/v1/auth/sessions')).items);
    } catch (failure) {
      setLoadError(failure);
    }
  };
  useEffect(() => void load(), [version]);

  const others = items?.filter((item) => !item.current) ?? [];
  const end = (session: SessionItem) =>
    run(async () => {
      await api.delete('/api/v1/auth/sessions/{sessionId}', { params: { sessionId: session.sessionId } });
      await load();
      return `Logged out ${deviceName(session.device)}.`;
    });
  const endOthers = () =>
    run(async () => {
      let ended = 0;
      for (const session of others) {
        await api.delete('/api/v1/auth/sessions/{sessionId}', { params: { sessionId: session.sessionId } });
        ended++;
      }
      await load();
      return `Logged out ${plural(ended, 'other session', 'other sessions')}.`;
    });

  return (
    <Section id="settings-sessions" title="Sessions">
      {items === null && loadError === null && <Loading label="Loading sessions…" />}
      {loadError !== null && <ErrorMessage error={loadError} onRetry={() => void load()} />}
      {items !== null && (
        <ul class="session-list" aria-label="Your sessions">
          {items.map((session) => (
            <li key={session.sessionId} class="session">
              <span class="session-what" id={`session-${session.sessionId}`}>
                <span>
                  <strong>{deviceName(session.device)}</strong>
                  {session.current && <span class="session-current"> (this device)</span>}
                </span>
                <span class="session-meta">
                  {session.address} · last used <time dateTime={session.lastUsedAt}>{dateTime.format(new Date(session.lastUsedAt))}</time>
                </span>
              </span>
              {!session.current && (
                <button type="button" disabled={busy} aria-describedby={`session-${session.sessionId}`} onClick={() => void end(session)}>
                  Log out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 1 && (
        <button type="button" disabled={busy} onClick={() => void endOthers()}>
          Log out all other sessions
        </button>
      )}
      {error !== null && <ErrorMessage error={error} />}
      <Done text={done} />
    </Section>
  );
};
