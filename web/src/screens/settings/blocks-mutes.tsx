import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/status';
import { usePaged } from '../../components/paged';
import type { UserSummary } from '../profile/types';
// The rows' look (.user-list, .user-row) is the profile lists', in profile.css (in the one bundle:
// importing it here would put it before settings.css and change which button.danger wins).
import { UserRow } from '../profile/user-row';
import { Done } from './form';

// One's blocked and muted accounts (GET /users/me/blocks, /users/me/mutes: newest first, paged).
// The blocks list is the way back to a blocked account, whose profile answers 404 like a missing
// one. Unblocking or unmuting takes the row away at once; a refusal puts it back in its place with
// the API's message. Focus moves to the next row's button (or the previous one, or the heading),
// so a keyboard never falls back to the top of the page.

type Kind = 'blocks' | 'mutes';

const TEXT = {
  blocks: { id: 'blocked-accounts', title: 'Blocked accounts', action: 'Unblock', done: 'Unblocked', empty: 'You have not blocked anyone.', hint: 'They cannot find your profile, posts or stories, and you do not see theirs.' },
  mutes: { id: 'muted-accounts', title: 'Muted accounts', action: 'Unmute', done: 'Unmuted', empty: 'You have not muted anyone.', hint: 'Their posts and stories stay out of your home feed and stories tray. They are not told.' },
} as const;

const PAGE = 20;

const listOf = (kind: Kind, cursor: string | null) => {
  const query = { limit: PAGE, ...(cursor ? { cursor } : {}) };
  // The first page passes this tab's latest position: a block or mute just made is in it.
  const fresh = cursor === null;
  return kind === 'blocks' ? api.get('/api/v1/users/me/blocks', { query, fresh }) : api.get('/api/v1/users/me/mutes', { query, fresh });
};

const undo = (kind: Kind, username: string) => (kind === 'blocks' ? api.delete('/api/v1/users/{username}/block', { params: { username } }) : api.delete('/api/v1/users/{username}/mute', { params: { username } }));

export const AccountsSection = ({ kind }: { kind: Kind }) => {
  const text = TEXT[kind];
  const { items, loading, error, done, more, retry, hasMore } = usePaged(kind, (cursor) => listOf(kind, cursor));
  // Rows taken away while their call runs or after it succeeded; a refusal brings one back.
  const [gone, setGone] = useState<ReadonlySet<string>>(new Set());
  const [refused, setRefused] = useState<ReadonlyMap<string, unknown>>(new Map());
  const [said, setSaid] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const focusNext = useRef<string | null>(null);

  const shown = items.filter((user) => !gone.has(user.id));

  useEffect(() => {
    const target = focusNext.current;
    if (target === null) return;
    focusNext.current = null;
    const button = target ? list.current?.querySelector<HTMLButtonElement>(`[data-user="${CSS.escape(target)}"]`) : null;
    (button ?? heading.current)?.focus();
  }, [gone]);

  const remove = async (user: UserSummary) => {
    const at = shown.indexOf(user);
    focusNext.current = (shown[at + 1] ?? shown[at - 1])?.id ?? '';
    setGone((ids) => new Set(ids).add(user.id));
    setRefused((errors) => {
      const next = new Map(errors);
      next.delete(user.id);
      return next;
    });
    setSaid(null);
    try {
      await undo(kind, user.username);
      setSaid(`${text.done} @${user.username}.`);
    } catch (failure) {
      setGone((ids) => {
        const next = new Set(ids);
        next.delete(user.id);
        return next;
      });
      setRefused((errors) => new Map(errors).set(user.id, failure));
    }
  };

  return (
    <section class="settings-section" id={text.id} aria-labelledby={`${text.id}-title`}>
      <h2 id={`${text.id}-title`} ref={heading} tabIndex={-1}>
        {text.title}
      </h2>
      <p class="hint">{text.hint}</p>
      <ul class="user-list" ref={list} aria-labelledby={`${text.id}-title`} aria-busy={loading}>
        {shown.map((user) => (
          <UserRow key={user.id} user={user}>
            <button type="button" data-user={user.id} onClick={() => void remove(user)}>
              {text.action}
              <span class="visually-hidden"> @{user.username}</span>
            </button>
            {refused.has(user.id) && <ErrorMessage error={refused.get(user.id)} />}
          </UserRow>
        ))}
      </ul>
      {loading && <Loading label={`Loading ${text.title.toLowerCase()}…`} />}
      {error !== null && <ErrorMessage error={error} onRetry={retry} />}
      {!loading && error === null && done && shown.length === 0 && <p class="empty">{text.empty}</p>}
      {hasMore && !loading && error === null && (
        <button type="button" class="load-more" onClick={more}>
          Load more<span class="visually-hidden"> {text.title.toLowerCase()}</span>
        </button>
      )}
      <Done text={said} />
    </section>
  );
};
