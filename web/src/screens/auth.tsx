import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { Flash } from '../components/flash';
import { ErrorMessage } from '../components/status';
import { navigate } from '../router';
import { setSession } from '../session';

// Register and log in. A login of an account with two-factor authentication on answers a
// challenge instead of tokens (README "Two-factor authentication"): the form then asks for a code
// (from the authenticator app, or a recovery code) and sends it with the challenge.

const useSubmit = () => {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = (work: () => Promise<void>) => async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit };
};

const Field = ({ label, name, type = 'text', autoComplete, value, onInput, ...rest }: { label: string; name: string; type?: string; autoComplete: string; value: string; onInput: (value: string) => void; minLength?: number; maxLength?: number; inputMode?: 'numeric'; pattern?: string; required?: boolean }) => (
  <label class="field">
    <span>{label}</span>
    <input name={name} type={type} autoComplete={autoComplete} value={value} onInput={(event) => onInput((event.target as HTMLInputElement).value)} required {...rest} />
  </label>
);

export const LoginScreen = () => {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const { error, busy, submit } = useSubmit();

  const onPassword = submit(async () => {
    const body = login.includes('@') ? { email: login, password } : { username: login, password };
    const answer = await api.post('/api/v1/users/login', { body });
    if ('twoFactorRequired' in answer) {
      setChallenge(answer.challenge);
      return;
    }
    setSession(answer);
    navigate('/', { replace: true });
  });
  const onCode = submit(async () => {
    const answer = await api.post('/api/v1/auth/login/2fa', { body: { challenge: challenge!, code: code.trim() } });
    setSession(answer);
    navigate('/', { replace: true });
  });

  return (
    <main class="auth" aria-labelledby="auth-title">
      <h1 id="auth-title">Log in</h1>
      <Flash />
      {challenge === null ? (
        <form onSubmit={onPassword} aria-describedby={error ? 'auth-error' : undefined}>
          <Field label="Username or email" name="username" autoComplete="username" value={login} onInput={setLogin} />
          <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onInput={setPassword} />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Logging in…' : 'Log in'}
          </button>
        </form>
      ) : (
        <form onSubmit={onCode}>
          <p>Two-factor authentication is on for this account. Enter the 6-digit code from your authenticator app, or a recovery code.</p>
          <Field label="Authentication code" name="code" autoComplete="one-time-code" value={code} onInput={setCode} />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Checking…' : 'Verify'}
          </button>
          <button type="button" class="link" onClick={() => setChallenge(null)}>
            Back
          </button>
        </form>
      )}
      {error !== null && <ErrorMessage error={error} />}
      <p>
        No account? <a href="/register">Sign up</a>
      </p>
    </main>
  );
};

export const RegisterScreen = () => {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, submit } = useSubmit();

  const onSubmit = submit(async () => {
    const answer = await api.post('/api/v1/users/register', { body: { username: username.trim(), email: email.trim(), password, ...(displayName.trim() ? { displayName: displayName.trim() } : {}) } });
    setSession(answer);
    navigate('/', { replace: true });
  });

  return (
    <main class="auth" aria-labelledby="auth-title">
      <h1 id="auth-title">Create an account</h1>
      <form onSubmit={onSubmit}>
        <Field label="Username" name="username" autoComplete="username" value={username} onInput={setUsername} maxLength={30} />
        <Field label="Email" name="email" type="email" autoComplete="email" value={email} onInput={setEmail} />
        <Field label="Name (optional)" name="displayName" autoComplete="name" value={displayName} onInput={setDisplayName} required={false} />
        <Field label="Password" name="password" type="password" autoComplete="new-password" value={password} onInput={setPassword} minLength={8} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Sign up'}
        </button>
      </form>
      {error !== null && <ErrorMessage error={error} />}
      <p>
        Have an account? <a href="/login">Log in</a>
      </p>
    </main>
  );
};
