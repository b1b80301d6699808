import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { ErrorMessage } from '../../components/status';
import { Done, Field, Section, useAction } from './form';

// Two-factor authentication (README "Two-factor authentication"): off → enroll with the password
// (a secret, shown in groups of four to type into an authenticator app, and its otpauth:// link
// for an app on this device) → confirm with a first code → on, with ten recovery codes shown this
// once. Disabling takes the password and a code (TOTP or recovery).

type Stage = { name: 'off' } | { name: 'enrolled'; secret: string; otpauthUri: string } | { name: 'on'; recoveryCodes: string[] | null };

const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

export const TwoFactorSection = ({ enabled, onChange }: { enabled: boolean; onChange: (enabled: boolean) => void }) => {
  const [stage, setStage] = useState<Stage>(enabled ? { name: 'on', recoveryCodes: null } : { name: 'off' });
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const { error, done, busy, submit, setDone } = useAction();

  const enroll = submit(async () => {
    const { secret, otpauthUri } = await api.post('/api/v1/auth/2fa/enroll', { body: { password } });
    setPassword('');
    setStage({ name: 'enrolled', secret, otpauthUri });
    return null;
  });
  const confirm = submit(async () => {
    const { recoveryCodes } = await api.post('/api/v1/auth/2fa/confirm', { body: { code: code.trim() } });
    setCode('');
    setStage({ name: 'on', recoveryCodes });
    onChange(true);
    return 'Two-factor authentication is on.';
  });
  const disable = submit(async () => {
    await api.post('/api/v1/auth/2fa/disable', { body: { password, code: code.trim() } });
    setPassword('');
    setCode('');
    setStage({ name: 'off' });
    onChange(false);
    return 'Two-factor authentication is off.';
  });

  return (
    <Section id="settings-two-factor" title="Two-factor authentication">
      <p class="settings-state">
        Status: <strong>{stage.name === 'on' ? 'On' : stage.name === 'enrolled' ? 'Waiting for a first code' : 'Off'}</strong>
      </p>
      {stage.name === 'off' && (
        <form class="settings-form" onSubmit={enroll}>
          <p class="hint">Ask for a code from an authenticator app at each login, after your password.</p>
          <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onInput={setPassword} />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Setting up…' : 'Set up two-factor authentication'}
          </button>
        </form>
      )}
      {stage.name === 'enrolled' && (
        <form class="settings-form" onSubmit={confirm}>
          <p>Add this key to your authenticator app (time-based, 6 digits), or open the link on a device that has one.</p>
          <p class="secret">
            Setup key: <code data-secret>{grouped(stage.secret)}</code>
          </p>
          <p>
            <a href={stage.otpauthUri}>Open in authenticator app</a>
          </p>
          <Field label="6-digit code from the app" name="code" autoComplete="one-time-code" inputMode="numeric" pattern="[0-9]{6}" maxLength={6} value={code} onInput={setCode} />
          <div class="settings-actions">
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Checking…' : 'Turn on'}
            </button>
            <button type="button" onClick={() => setStage({ name: 'off' })}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {stage.name === 'on' && stage.recoveryCodes && (
        <div class="recovery">
          <p>Recovery codes: each logs in once instead of an app's code. Keep them somewhere safe; they are not shown again.</p>
          <ul class="recovery-codes" aria-label="Recovery codes">
            {stage.recoveryCodes.map((recovery) => (
              <li key={recovery}>
                <code>{recovery}</code>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => (setStage({ name: 'on', recoveryCodes: null }), setDone(null))}>
            I have saved them
          </button>
        </div>
      )}
      {stage.name === 'on' && !stage.recoveryCodes && (
        <form class="settings-form" onSubmit={disable}>
          <p class="hint">To turn it off, give your password and a code from the app (or a recovery code).</p>
          <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onInput={setPassword} />
          <Field label="Code" name="code" autoComplete="one-time-code" value={code} onInput={setCode} maxLength={32} />
          <button type="submit" disabled={busy}>
            {busy ? 'Turning off…' : 'Turn off two-factor authentication'}
          </button>
        </form>
      )}
      {error !== null && <ErrorMessage error={error} />}
      <Done text={done} />
    </Section>
  );
};
