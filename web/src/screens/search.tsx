import { useEffect, useState } from 'preact/hooks';
import { api, type Answer, type Post } from '../api/client';
import { Avatar, type UserSummary } from '../components/avatar';
import { usePaged, type Page } from '../components/paged';
import { PostGrid } from '../components/post-grid';
import { ErrorMessage, Loading } from '../components/status';
import { comboboxProps, SuggestionList, useSuggestions } from '../components/suggestions';
import { navigate } from '../router';

// Search (README "search"): a combobox whose listbox suggests accounts, hashtags and places as one
// types (components/suggestions: after a 200 ms pause; each keystroke aborts the request before
// it), and the full search on Enter: accounts, hashtags, places and a grid of posts paged by the
// API's cursor. The API tolerates typos and answers what it finds; the screen shows it as answered. The query is kept in
// the URL (?q=) so that a reload or the back button shows the same results.

const SUGGESTED = 6;

type Search = Answer<'/api/v1/search', 'get'>;
type Hashtag = NonNullable<Search['hashtags']>[number];
type Place = NonNullable<Search['places']>[number];

type Suggestion = { kind: 'user'; user: UserSummary } | { kind: 'hashtag'; hashtag: Hashtag } | { kind: 'place'; place: Place };

const hrefOf = (suggestion: Suggestion) =>
  suggestion.kind === 'user' ? `/u/${encodeURIComponent(suggestion.user.username)}` : suggestion.kind === 'hashtag' ? `/tags/${encodeURIComponent(suggestion.hashtag.tag)}` : `/places/${suggestion.place.id}`;

const postsText = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'post' : 'posts'}`;

const queryOfUrl = () => new URLSearchParams(location.search).get('q')?.trim() ?? '';

/** Accounts and hashtags by prefix with typos (autocomplete), and places by name (search: autocomplete has none). */
const suggestionsFor = async (q: string, signal: AbortSignal): Promise<Suggestion[]> => {
  const plain = !q.startsWith('@') && !q.startsWith('#');
  const [completed, places] = await Promise.all([
    api.get('/api/v1/search/autocomplete', { query: { q, limit: SUGGESTED }, signal }),
    plain ? api.get('/api/v1/search', { query: { q, type: 'places', limit: 3 }, signal }) : null,
  ]);
  return [
    ...completed.users.map((user): Suggestion => ({ kind: 'user', user })),
    ...completed.hashtags.map((hashtag): Suggestion => ({ kind: 'hashtag', hashtag })),
    ...(places?.places ?? []).map((place): Suggestion => ({ kind: 'place', place })),
  ];
};

const SuggestionBody = ({ suggestion }: { suggestion: Suggestion }) => {
  if (suggestion.kind === 'user') {
    const { user } = suggestion;
    return (
      <>
        <Avatar avatar={user.avatar ?? null} name={user.displayName || user.username} />
        <span class="suggestion-text">
          <strong>{user.username}</strong>
          {user.displayName && <span class="muted">{user.displayName}</span>}
        </span>
      </>
    );
  }
  if (suggestion.kind === 'hashtag') {
    return (
      <>
        <span class="suggestion-icon" aria-hidden="true">
          #
        </span>
        <span class="suggestion-text">
          <strong>#{suggestion.hashtag.tag}</strong>
          <span class="muted">{postsText(suggestion.hashtag.posts)}</span>
        </span>
      </>
    );
  }
  return (
    <>
      <span class="suggestion-icon" aria-hidden="true">
        <svg viewBox="0 0 24 24" width="18" height="18" focusable="false" fill="none" stroke="currentColor" stroke-width="2">
          <path d="M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21z" />
          <circle cx="12" cy="9.5" r="2.5" />
        </svg>
      </span>
      <span class="suggestion-text">
        <strong>{suggestion.place.name}</strong>
        <span class="muted">{postsText(suggestion.place.postCount)}</span>
      </span>
    </>
  );
};

/** What the lookup is asked, if anything: nothing before one types, for an empty box, or a bare `@` or `#`. */
const queryOf = (text: string) => {
  const q = text.trim();
  return q === '' || q === '@' || q === '#' ? null : q;
};

const SearchBox = ({ initial, onSearch }: { initial: string; onSearch: (q: string) => void }) => {
  const [text, setText] = useState(initial);
  // The box may start with the URL's query: it asks nothing until one types.
  const [typed, setTyped] = useState(false);
  const list = useSuggestions(typed ? queryOf(text) : null, suggestionsFor, { autoSelect: false });

  const choose = (suggestion: Suggestion) => {
    list.close();
    navigate(hrefOf(suggestion));
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (list.onKeyDown(event, choose)) return;
    if (event.key === 'Escape') {
      // The list closed already: a second Escape empties the box.
      event.preventDefault();
      list.cancel();
      setText('');
    }
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    list.cancel();
    if (text.trim() !== '') onSearch(text.trim());
  };

  return (
    <form class="search-box" role="search" onSubmit={onSubmit}>
      <label for="search-input" class="visually-hidden">
        Search
      </label>
      <input
        id="search-input"
        type="search"
        autoComplete="off"
        spellcheck={false}
        placeholder="Search people, #hashtags, places"
        aria-describedby="search-status"
        {...comboboxProps('search', list, true)}
        value={text}
        onInput={(event) => {
          setText((event.target as HTMLInputElement).value);
          setTyped(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(list.close, 150)}
        onFocus={list.reopen}
      />
      <button type="submit" class="primary">
        Search
      </button>
      <SuggestionList id="search" label="Suggestions" class="search-suggestions" list={list} onPick={choose} keyOf={hrefOf} render={(suggestion) => <SuggestionBody suggestion={suggestion} />} hover />
      <p id="search-status" class="visually-hidden" role="status">
        {list.pending ? '' : list.open ? `${list.items.length} suggestions, use the arrow keys to choose` : list.none ? 'No suggestions' : ''}
      </p>
      {list.none && <p class="suggestions-empty">No suggestions. Press Enter to search all posts.</p>}
      {list.error !== null && <ErrorMessage error={list.error} />}
    </form>
  );
};

type SearchPage = Page<Post> & { rest?: Search };

const SearchResults = ({ q }: { q: string }) => {
  const [rest, setRest] = useState<Search | null>(null);
  const posts = usePaged<Post, SearchPage>(
    q,
    async (cursor) => {
      if (cursor === null) {
        const found = await api.get('/api/v1/search', { query: { q, type: 'users,posts,hashtags,places' }, fresh: true });
        return { items: found.posts?.items ?? [], nextCursor: found.posts?.nextCursor ?? null, rest: found };
      }
      const next = await api.get('/api/v1/search', { query: { q, type: 'posts', cursor } });
      return next.posts ?? { items: [], nextCursor: null };
    },
    (page) => setRest(page.rest ?? null),
  );
  const users = rest?.users ?? [];
  const hashtags = rest?.hashtags ?? [];
  const places = rest?.places ?? [];
  const nothing = !posts.loading && posts.error === null && rest !== null && users.length + hashtags.length + places.length + posts.items.length === 0;
  if (posts.error !== null && rest === null) return <ErrorMessage error={posts.error} onRetry={posts.retry} />;
  if (rest === null) return <Loading label="Searching…" />;
  return (
    <div class="search-results">
      <h2 class="visually-hidden">Results for “{q}”</h2>
      {nothing && <p class="empty">No results for “{q}”.</p>}
      {users.length > 0 && (
        <section aria-labelledby="results-accounts">
          <h3 id="results-accounts">Accounts</h3>
          <ul class="result-list">
            {users.map((user) => (
              <li key={user.id}>
                <a href={`/u/${encodeURIComponent(user.username)}`} class="result">
                  <Avatar avatar={user.avatar ?? null} name={user.displayName || user.username} />
                  <span class="suggestion-text">
                    <strong>{user.username}</strong>
                    {user.displayName && <span class="muted">{user.displayName}</span>}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {hashtags.length > 0 && (
        <section aria-labelledby="results-hashtags">
          <h3 id="results-hashtags">Hashtags</h3>
          <ul class="result-list">
            {hashtags.map((hashtag) => (
              <li key={hashtag.tag}>
                <a href={`/tags/${encodeURIComponent(hashtag.tag)}`} class="result">
                  <span class="suggestion-text">
                    <strong>#{hashtag.tag}</strong>
                    <span class="muted">{postsText(hashtag.posts)}</span>
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {places.length > 0 && (
        <section aria-labelledby="results-places">
          <h3 id="results-places">Places</h3>
          <ul class="result-list">
            {places.map((place) => (
              <li key={place.id}>
                <a href={`/places/${place.id}`} class="result">
                  <span class="suggestion-text">
                    <strong>{place.name}</strong>
                    <span class="muted">{postsText(place.postCount)}</span>
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {(posts.items.length > 0 || posts.loading || posts.error !== null) && (
        <>
          <h3>Posts</h3>
          <PostGrid label={`Posts matching “${q}”`} list={posts} empty="No posts match." />
        </>
      )}
    </div>
  );
};

export const SearchScreen = () => {
  const [q, setQ] = useState(queryOfUrl);
  useEffect(() => {
    const back = () => setQ(queryOfUrl());
    window.addEventListener('popstate', back);
    return () => window.removeEventListener('popstate', back);
  }, []);
  return (
    <main class="discovery" aria-labelledby="search-title">
      <h1 id="search-title" class="page-title">
        Search
      </h1>
      <SearchBox
        initial={q}
        onSearch={(next) => {
          navigate(`/search?q=${encodeURIComponent(next)}`);
          setQ(next);
        }}
      />
      {q !== '' ? <SearchResults key={q} q={q} /> : <p class="empty">Find people by name, posts by their words and #hashtags, and places.</p>}
    </main>
  );
};
