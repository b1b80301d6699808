import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { uploadMedia, type UploadStage } from '../../api/upload';
import { ErrorMessage } from '../../components/status';
import type { Profile } from './types';

// One's own profile's settings (README "accounts": PUT /users/{username} takes displayName, bio
// and private; the avatar is an upload of purpose `avatar`, then PUT .../avatar). The private
// switch applies at once, optimistically, and goes back on a refusal; name and bio are saved
// together; a new picture shows once the worker has made its variants.

// The API's limits (kernel/limits.ts), so the fields stop where the API would refuse.
const DISPLAY_NAME_MAX = 30;
const BIO_MAX = 150;
const AVATAR_TYPES = 'image/jpeg,image/png,image/webp,image/gif,image/heic,image/heif,image/avif';

const Section = ({ title, children }: { title: string; children: ComponentChildren }) => (
  <fieldset class="edit-section">
    <legend>{title}</legend>
    {children}
  </fieldset>
);

export const EditProfile = ({ profile, onSaved }: { profile: Profile; onSaved: () => void }) => {
  const [displayName, setDisplayName] = useState(profile.displayName);
  const [bio, setBio] = useState(profile.bio);
  const [isPrivate, setPrivate] = useState(profile.private);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [stage, setStage] = useState<UploadStage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const username = profile.username;

  const run = async (work: () => Promise<void>) => {
    setError(null);
    setSaved(false);
    try {
      await work();
      onSaved();
    } catch (failure) {
      setError(failure);
    }
  };

  const save = (event: Event) => {
    event.preventDefault();
    if (saving) return;
    setSaving(true);
    void run(async () => {
      await api.put('/api/v1/users/{username}', { params: { username }, body: { displayName: displayName.trim(), bio } });
      setSaved(true);
    }).finally(() => setSaving(false));
  };

  const togglePrivate = (next: boolean) => {
    setPrivate(next);
    void run(async () => {
      try {
        await api.put('/api/v1/users/{username}', { params: { username }, body: { private: next } });
      } catch (failure) {
        setPrivate(!next);
        throw failure;
      }
    });
  };

  const changeAvatar = (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = '';
    if (!file || stage) return;
    void run(async () => {
      try {
        const mediaId = await uploadMedia(file, 'avatar', setStage);
        await api.put('/api/v1/users/{username}/avatar', { params: { username }, body: { mediaId } });
      } finally {
        setStage(null);
      }
    });
  };

  const removeAvatar = () => void run(async () => void (await api.delete('/api/v1/users/{username}/avatar', { params: { username } })));

  return (
    <div class="edit-profile">
      <Section title="Profile photo">
        <label class="file-button">
          <input type="file" accept={AVATAR_TYPES} class="visually-hidden" disabled={stage !== null} onChange={(event) => changeAvatar(event.currentTarget)} />
          <span>Change profile photo</span>
        </label>
        {profile.avatar && (
          <button type="button" onClick={removeAvatar} disabled={stage !== null}>
            Remove profile photo
          </button>
        )}
        {stage && (
          <p role="status" class="muted">
            {stage === 'uploading' ? 'Uploading your photo…' : 'Processing your photo…'}
          </p>
        )}
      </Section>
      <form onSubmit={save}>
        <Section title="About you">
          <label class="field">
            <span>Name</span>
            <input name="displayName" value={displayName} maxLength={DISPLAY_NAME_MAX} autoComplete="name" onInput={(event) => setDisplayName(event.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Bio</span>
            <textarea name="bio" rows={3} value={bio} maxLength={BIO_MAX} onInput={(event) => setBio(event.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          {saved && (
            <p role="status" class="muted">
              Saved.
            </p>
          )}
        </Section>
      </form>
      <Section title="Privacy">
        <label class="toggle">
          <input type="checkbox" checked={isPrivate} onChange={(event) => togglePrivate(event.currentTarget.checked)} />
          <span>Private account</span>
        </label>
        <p class="muted" aria-live="polite">
          {isPrivate ? 'Only followers you approve see your posts, followers and following.' : 'Anyone can see your posts. Turn this on to approve each follower.'}
        </p>
      </Section>
      {error !== null && <ErrorMessage error={error} />}
    </div>
  );
};
