import { useEffect, useState } from 'preact/hooks';
import { api, type Answer } from '../api/client';
import { ErrorMessage, Loading } from '../components/status';
import { AccountsSection } from './settings/blocks-mutes';
import { DeleteAccountSection, RestoreAccountSection } from './settings/delete-account';
import { PasswordSection } from './settings/password';
import { SessionsSection } from './settings/sessions';
import { TwoFactorSection } from './settings/two-factor';
import './settings/settings.css';

// Settings: sessions, password, two-factor authentication, blocked and muted accounts, and
// deleting (or, during the grace period, restoring) the account. What only the owner sees comes
// from GET /auth/me. A link to a section (/settings#blocked-accounts, from a blocked profile)
// lands on its heading once the sections are there.

type Me = Answer<'/api/v1/auth/me', 'get'>;

export const SettingsScreen = () => {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<unknown>(null);
  // A password change ends the other sessions: the list is read again.
  const [sessionsVersion, setSessionsVersion] = useState(0);

  const load = async () => {
    setError(null);
    try {
      setMe(await api.get('/api/v1/auth/me'));
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => void load(), []);
  useEffect(() => {
    const section = me && location.hash.length > 1 ? document.getElementById(location.hash.slice(1)) : null;
    section?.querySelector<HTMLElement>('h2[tabindex]')?.focus();
    section?.scrollIntoView({ block: 'start' });
  }, [me !== null]);

  return (
    <main class="settings" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {me === null && error === null && <Loading label="Loading your account…" />}
      {error !== null && <ErrorMessage error={error} onRetry={() => void load()} />}
      {me !== null && (
        <>
          {me.deletion && <RestoreAccountSection username={me.username} eraseAfter={me.deletion.eraseAfter} onRestored={() => void load()} />}
          <SessionsSection version={sessionsVersion} />
          <PasswordSection onChanged={() => setSessionsVersion((n) => n + 1)} />
          <TwoFactorSection enabled={me.twoFactorEnabled} onChange={(twoFactorEnabled) => setMe({ ...me, twoFactorEnabled })} />
          <AccountsSection kind="blocks" />
          <AccountsSection kind="mutes" />
          {!me.deletion && <DeleteAccountSection username={me.username} twoFactorEnabled={me.twoFactorEnabled} />}
        </>
      )}
    </main>
  );
};
