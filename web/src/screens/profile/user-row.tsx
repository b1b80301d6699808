import type { ComponentChildren } from 'preact';
import { Avatar } from '../../components/avatar';
import type { UserSummary } from './types';

/** One person in a list: picture, username (a link to the profile), name, and the row's own actions. */
export const UserRow = ({ user, children, note }: { user: UserSummary; children?: ComponentChildren; note?: string }) => (
  <li class="user-row">
    <Avatar avatar={user.avatar} name={user.displayName || user.username} size={44} />
    <span class="user-row-names">
      <a href={`/u/${user.username}`}>{user.username}</a>
      {user.displayName && <span class="muted">{user.displayName}</span>}
      {note && <span class="muted">{note}</span>}
    </span>
    {children && <span class="user-row-actions">{children}</span>}
  </li>
);
