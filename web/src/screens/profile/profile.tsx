import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Post } from '../../api/client';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { usePaged } from '../../components/paged';
import { PostGrid } from '../../components/post-grid';
import { ErrorMessage, Loading } from '../../components/status';
import type { ProfileView } from '../../router';
import { useSession } from '../../session';
import { lookUpBlock, type BlockLookup } from './block-lookup';
import { EditProfile } from './edit-profile';
import { FollowButton } from './follow-button';
import { ProfileHeader } from './profile-header';
import { ProfileMenu } from './profile-menu';
import { Suggestions } from './suggestions';
import { statusOf, type Profile } from './types';
import { UserList } from './user-list';
import './profile.css';

// A profile (/u/{username}, /tagged, /followers, /following), from GET /users/{username}: its
// header, then its posts or tagged posts as a grid, or its followers or following. A private
// account's posts and lists show only to its followers (the API answers 403 otherwise); a block
// either way answers 404: the viewer's own blocks tell one they made (block-lookup.ts), shown with
// Unblock, from one the other made or a missing profile, shown as "not found". One's own profile
// adds the edit settings, the follow requests link and suggestions; someone else's the follow
// button and the options menu.

const useProfile = (username: string) => {
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    setError(null);
    try {
      setProfile(await api.get('/api/v1/users/{username}', { params: { username }, fresh: true }));
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => {
    setProfile(null);
    void load();
  }, [username]);
  return { profile, setProfile, error, load };
};

const PendingRequests = ({ isPrivate }: { isPrivate: boolean }) => {
  const [pending, setPending] = useState<{ count: number; more: boolean } | null>(null);
  useEffect(() => {
    api
      .get('/api/v1/follow-requests', { query: { limit: 20 }, fresh: true })
      .then((page) => setPending({ count: page.items.length, more: page.nextCursor !== null }))
      .catch(() => setPending(null)); // the link still leads to the list, which shows its own error
  }, []);
  if (!isPrivate && !pending?.count) return null;
  return (
    <a class="button-link" href="/requests">
      Follow requests{pending && pending.count > 0 ? ` (${pending.count}${pending.more ? '+' : ''})` : ''}
    </a>
  );
};

const Blocked = ({ username, onUnblocked }: { username: string; onUnblocked: () => void }) => {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const unblock = async () => {
    setAsking(false);
    setBusy(true);
    setError(null);
    try {
      await api.delete('/api/v1/users/{username}/block', { params: { username } });
      onUnblocked();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="profile" aria-labelledby="blocked-title">
      <h1 id="blocked-title">You blocked @{username}</h1>
      <p class="muted">They cannot find your profile, posts or stories, and you do not see theirs.</p>
      <button type="button" onClick={() => setAsking(true)} disabled={busy}>
        Unblock<span class="visually-hidden"> @{username}</span>
      </button>
      <p>
        Everyone you blocked is listed in <a href="/settings#blocked-accounts">Settings, Blocked accounts</a>.
      </p>
      {error !== null && <ErrorMessage error={error} />}
      {asking && (
        <ConfirmDialog title={`Unblock @${username}?`} confirmLabel="Unblock" onConfirm={() => void unblock()} onCancel={() => setAsking(false)}>
          <p>They will be able to find your profile and follow you again. Follows the block ended do not come back.</p>
        </ConfirmDialog>
      )}
    </main>
  );
};

const Tabs = ({ username, view }: { username: string; view: ProfileView }) => (
  <nav class="profile-tabs" aria-label="Profile sections">
    <a href={`/u/${username}`} aria-current={view === 'posts' ? 'page' : undefined}>
      Posts
    </a>
    <a href={`/u/${username}/tagged`} aria-current={view === 'tagged' ? 'page' : undefined}>
      Tagged
    </a>
  </nav>
);

export const ProfileScreen = ({ username, view }: { username: string; view: ProfileView }) => {
  const session = useSession();
  const own = session?.username === username;
  const { profile, setProfile, error, load } = useProfile(username);
  // null until a 404 has been looked up in one's blocks (or a block made here says so).
  const [blocked, setBlocked] = useState<BlockLookup | null>(null);
  const [editing, setEditing] = useState(false);
  const missing = profile === null && error instanceof ApiError && error.status === 404;
  useEffect(() => {
    if (!missing || own) return;
    let current = true;
    void lookUpBlock(username).then((found) => current && setBlocked(found));
    return () => void (current = false);
  }, [missing, own, username]);

  if (blocked === 'blocked')
    return (
      <Blocked
        username={username}
        onUnblocked={() => {
          setBlocked(null);
          void load();
        }}
      />
    );
  if (profile === null) {
    if (error === null || (missing && !own && blocked === null)) return <main class="profile"><Loading label="Loading profile…" /></main>;
    return (
      <main class="profile">
        <h1>{missing ? 'Profile not found' : 'This profile could not be loaded'}</h1>
        <ErrorMessage error={error} onRetry={missing ? undefined : () => void load()} />
        {blocked === 'unknown' && (
          <p>
            If you blocked @{username}, you can unblock them in <a href="/settings#blocked-accounts">Settings, Blocked accounts</a>.
          </p>
        )}
        <p>
          <a href="/">Back to your feed</a>
        </p>
      </main>
    );
  }

  const canSee = own || !profile.private || profile.relationship.following;
  const relationship = profile.relationship;
  const onMuted = (muting: boolean) => setProfile((shown) => (shown ? { ...shown, relationship: { ...shown.relationship, muting } } : shown));
  const onBlocked = () => setBlocked('blocked');

  return (
    <main class="profile" aria-labelledby="profile-title">
      <ProfileHeader profile={profile} canSeeLists={canSee}>
        {own ? (
          <>
            <button type="button" aria-expanded={editing} aria-controls="edit-profile" onClick={() => setEditing(!editing)}>
              Edit profile
            </button>
            <PendingRequests isPrivate={profile.private} />
          </>
        ) : (
          <>
            <FollowButton username={username} status={statusOf(relationship)} isPrivate={profile.private} followsYou={relationship.followedBy} onSettled={() => void load()} />
            <ProfileMenu username={username} muting={relationship.muting} onMuted={onMuted} onBlocked={onBlocked} />
          </>
        )}
      </ProfileHeader>
      {!own && relationship.muting && (
        <p class="notice" role="status">
          You muted @{username}: their posts and stories are hidden from your feed and stories tray.
        </p>
      )}
      {own && editing && (
        <section id="edit-profile" aria-label="Edit profile">
          <EditProfile profile={profile} onSaved={() => void load()} />
        </section>
      )}
      {!canSee ? (
        <section class="private-notice" aria-labelledby="private-title">
          <h2 id="private-title">This account is private</h2>
          <p class="muted">{relationship.requested ? 'Your request is waiting for their approval.' : `Follow @${username} to see their photos and videos.`}</p>
        </section>
      ) : view === 'followers' || view === 'following' ? (
        <>
          <p>
            <a href={`/u/${username}`}>Back to @{username}'s posts</a>
          </p>
          <UserList key={view} username={username} direction={view} />
        </>
      ) : (
        <>
          <Tabs username={username} view={view} />
          <ProfileGrid key={`${view}-${username}`} username={username} tagged={view === 'tagged'} own={own} />
        </>
      )}
      {own && <Suggestions />}
    </main>
  );
};

/** A profile's posts, or the posts it is tagged in, read as the reader scrolls. */
const ProfileGrid = ({ username, tagged, own }: { username: string; tagged: boolean; own: boolean }) => {
  const list = usePaged<Post>(`${tagged ? 'tagged' : 'posts'}-${username}`, (cursor) => {
    const query = { limit: 18, ...(cursor ? { cursor } : {}) };
    return tagged
      ? api.get('/api/v1/users/{username}/tagged', { params: { username }, query, fresh: cursor === null })
      : api.get('/api/v1/feed/user/{username}', { params: { username }, query, fresh: cursor === null });
  });
  return tagged ? (
    <PostGrid list={list} endless label={`Posts @${username} is tagged in`} empty={own ? 'Photos and videos you are tagged in show here.' : `No posts tagging @${username} yet.`} />
  ) : (
    <PostGrid list={list} endless label={`Posts by @${username}`} empty={own ? 'Your posts show here.' : 'No posts yet.'} />
  );
};
