import type { ComponentChildren } from 'preact';
import { Avatar } from '../../components/avatar';
import { plural, type Profile } from './types';

// A profile's top: picture, username with the verified badge, the actions given (follow and the
// options menu, or one's own edit), the counts (followers and following open their lists when
// the viewer may see them), name, bio and "Followed by …" (README "accounts": mutualFollowers).

export const VerifiedBadge = () => (
  <svg class="verified" role="img" aria-label="Verified account" viewBox="0 0 24 24" width="18" height="18" focusable="false">
    <path fill="currentColor" d="M12 1.5l2.6 2 3.3-.3.9 3.2 2.9 1.6-1.2 3.1 1.2 3.1-2.9 1.6-.9 3.2-3.3-.3-2.6 2-2.6-2-3.3.3-.9-3.2-2.9-1.6L3.5 11l-1.2-3.1 2.9-1.6.9-3.2 3.3.3z" />
    <path fill="none" stroke="#fff" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" d="M7.8 12.2l2.7 2.7 5.7-5.8" />
  </svg>
);

const FollowedBy = ({ mutual }: { mutual: Profile['mutualFollowers'] }) => {
  const names = mutual.usernames;
  if (names.length === 0) return null;
  const others = mutual.count - names.length;
  const links = names.map((name) => <a href={`/u/${name}`}>{name}</a>);
  const parts: ComponentChildren[] = [];
  links.forEach((link, index) => {
    if (index > 0) parts.push(index === links.length - 1 && others <= 0 ? ' and ' : ', ');
    parts.push(link);
  });
  return (
    <p class="followed-by muted">
      Followed by {parts}
      {others > 0 && ` and ${plural(others, 'other', 'others')} you follow`}
    </p>
  );
};

export const ProfileHeader = ({ profile, canSeeLists, children }: { profile: Profile; canSeeLists: boolean; children?: ComponentChildren }) => {
  const base = `/u/${profile.username}`;
  const count = (n: number, one: string, many: string, href?: string) => {
    const [figure, ...words] = plural(n, one, many).split(' ');
    const text = (
      <>
        <strong>{figure}</strong> {words.join(' ')}
      </>
    );
    return <li>{href ? <a href={href}>{text}</a> : text}</li>;
  };
  return (
    <header class="profile-header">
      <Avatar avatar={profile.avatar} name={profile.displayName || profile.username} size={86} />
      <div class="profile-summary">
        <div class="profile-title">
          <h1 id="profile-title">{profile.username}</h1>
          {profile.verified && <VerifiedBadge />}
        </div>
        {children && <div class="profile-actions">{children}</div>}
        <ul class="profile-counts" aria-label="Counts">
          {count(profile.postCount, 'post', 'posts')}
          {count(profile.followerCount, 'follower', 'followers', canSeeLists ? `${base}/followers` : undefined)}
          {count(profile.followingCount, 'following', 'following', canSeeLists ? `${base}/following` : undefined)}
        </ul>
      </div>
      <div class="profile-about">
        {profile.displayName && <p class="profile-name">{profile.displayName}</p>}
        {profile.bio && <p class="profile-bio">{profile.bio}</p>}
        <FollowedBy mutual={profile.mutualFollowers} />
      </div>
    </header>
  );
};
