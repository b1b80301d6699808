import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/client';
import { setFlash } from '../../components/flash';
import { ErrorMessage } from '../../components/status';
import { navigate } from '../../router';
import { clearSession } from '../../session';
import { Field, Section, useAction } from './form';

// Deleting the account (README "Account deletion"): behind a modal confirmation (a native
// <dialog> shown modal: the page behind is inert, Escape cancels; focus goes to the password and
// back to the opening button), with the password, and a code when two-factor authentication is
// on. The API ends every session: this one is dropped and the login screen says until when the
// account can be restored (logging in and restoring it here).

const dateOf = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(new Date(iso));

export const DeleteAccountSection = ({ username, twoFactorEnabled }: { username: string; twoFactorEnabled: boolean }) => {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const { error, busy, submit } = useAction();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  const close = () => {
    setOpen(false);
    setPassword('');
    setCode('');
    opener.current?.focus();
  };

  const onSubmit = submit(async () => {
    const answer = await api.delete('/api/v1/users/{username}', { params: { username }, body: { password, ...(twoFactorEnabled ? { code: code.trim() } : {}) } });
    setFlash(`Your account @${answer.username} is scheduled for deletion and will be erased on ${dateOf(answer.eraseAfter)}. Until then you can log in and restore it from Settings.`);
    // Every session of the account has ended on the server; this tab's is dropped too.
    clearSession();
    navigate('/login', { replace: true });
    return null;
  });

  return (
    <Section id="settings-delete" title="Delete account">
      <p class="hint">Your profile, posts and comments are hidden at once and erased after a grace period, during which you can log in and restore the account.</p>
      <button type="button" class="danger" ref={opener} onClick={() => setOpen(true)}>
        Delete account…
      </button>
      <dialog ref={dialog} role="alertdialog" aria-modal="true" aria-labelledby="delete-title" aria-describedby="delete-what" class="confirm" onCancel={(event) => (event.preventDefault(), close())}>
        {open && (
          <form onSubmit={onSubmit} class="settings-form">
            <h2 id="delete-title">Delete @{username}?</h2>
            <p id="delete-what">Everyone else stops seeing your account now. Every session ends, this one included.</p>
            <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onInput={setPassword} />
            {twoFactorEnabled && <Field label="Two-factor code (or a recovery code)" name="code" autoComplete="one-time-code" value={code} onInput={setCode} maxLength={32} />}
            {error !== null && <ErrorMessage error={error} />}
            <div class="settings-actions">
              <button type="button" onClick={close}>
                Cancel
              </button>
              <button type="submit" class="danger" disabled={busy}>
                {busy ? 'Deleting…' : 'Delete my account'}
              </button>
            </div>
          </form>
        )}
      </dialog>
    </Section>
  );
};

export const RestoreAccountSection = ({ username, eraseAfter, onRestored }: { username: string; eraseAfter: string; onRestored: () => void }) => {
  const { error, busy, run } = useAction();
  return (
    <Section id="settings-restore" title="Account scheduled for deletion">
      <p>
        Your account is hidden from everyone else and will be erased on <time dateTime={eraseAfter}>{dateOf(eraseAfter)}</time>. Restore it to show it again as before.
      </p>
      <button
        type="button"
        class="primary"
        disabled={busy}
        onClick={() =>
          void run(async () => {
            await api.post('/api/v1/users/{username}/restore', { params: { username } });
            onRestored();
            return null;
          })
        }
      >
        Restore account
      </button>
      {error !== null && <ErrorMessage error={error} />}
    </Section>
  );
};
