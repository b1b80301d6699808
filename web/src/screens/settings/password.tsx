import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { ErrorMessage } from '../../components/status';
import { Done, Field, Section, useAction } from './form';

// Changing the password (README "passwords"): the current one is checked, the new one follows
// registration's rule (the API says what is wrong), and every other session ends, this one stays.

export const PasswordSection = ({ onChanged }: { onChanged: () => void }) => {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const { error, done, busy, submit } = useAction();

  const onSubmit = submit(async () => {
    const { endedSessions } = await api.put('/api/v1/auth/password', { body: { currentPassword: current, newPassword: next } });
    setCurrent('');
    setNext('');
    onChanged();
    return `Password changed. ${endedSessions === 0 ? 'No other session was open.' : `${endedSessions} other ${endedSessions === 1 ? 'session was' : 'sessions were'} logged out.`}`;
  });

  return (
    <Section id="settings-password" title="Password">
      <form class="settings-form" onSubmit={onSubmit}>
        <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" value={current} onInput={setCurrent} />
        <Field label="New password" name="newPassword" type="password" autoComplete="new-password" value={next} onInput={setNext} describedBy="new-password-rule" />
        <p id="new-password-rule" class="hint">
          8 to 128 characters. Your other sessions will be logged out.
        </p>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
      {error !== null && <ErrorMessage error={error} />}
      <Done text={done} />
    </Section>
  );
};
