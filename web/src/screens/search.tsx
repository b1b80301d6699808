import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type Answer, type Post } from '../api/client';
import { Avatar, type UserSummary } from '../components/avatar';
import { PlaceIcon } from '../components/icons';
import { usePaged, type Page } from '../components/paged';
import { PostGrid } from '../components/post-grid';
import { ErrorMessage, Loading } from '../components/status';
import { comboboxProps, SuggestionList, useSuggestions } from '../components/suggestions';
import { navigate } from '../router';
import { plural } from '../text';

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

const postsText = (n: number) => plural(n, 'post', 'posts');

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

/** An account's, a tag's or a place's name, and its second line (a display name, a count). */
const Named = ({ name, detail }: { name: string; detail?: string | null }) => (
  <span class="suggestion-text">
    <strong>{name}</strong>
    {detail && <span class="muted">{detail}</span>}
  </span>
);

/** One kind of result (accounts, hashtags, places) under its heading, each a link; nothing when none. */
const ResultSection = <T,>({ id, title, items, keyOf, hrefOf, children }: { id: string; title: string; items: T[]; keyOf: (item: T) => string; hrefOf: (item: T) => string; children: (item: T) => ComponentChildren }) =>
  items.length === 0 ? null : (
    <section aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <ul class="result-list">
        {items.map((item) => (
          <li key={keyOf(item)}>
            <a href={hrefOf(item)} class="result">
              {children(item)}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );

const SuggestionBody = ({ suggestion }: { suggestion: Suggestion }) => {
  if (suggestion.kind === 'user') {
    const { user } = suggestion;
    return (
      <>
        <Avatar avatar={user.avatar ?? null} name={user.displayName || user.username} />
        <Named name={user.username} detail={user.displayName} />
      </>
    );
  }
  if (suggestion.kind === 'hashtag') {
    return (
      <>
        <span class="suggestion-icon" aria-hidden="true">
          #
        </span>
        <Named name={`#${suggestion.hashtag.tag}`} detail={postsText(suggestion.hashtag.posts)} />
      </>
    );
  }
  return (
    <>
      <span class="suggestion-icon" aria-hidden="true">
        <PlaceIcon size={18} stroke={2} />
      </span>
      <Named name={suggestion.place.name} detail={postsText(suggestion.place.postCount)} />
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
      <ResultSection id="results-accounts" title="Accounts" items={users} keyOf={(user) => user.id} hrefOf={(user) => `/u/${encodeURIComponent(user.username)}`}>
        {(user) => (
          <>
            <Avatar avatar={user.avatar ?? null} name={user.displayName || user.username} />
            <Named name={user.username} detail={user.displayName} />
          </>
        )}
      </ResultSection>
      <ResultSection id="results-hashtags" title="Hashtags" items={hashtags} keyOf={(hashtag) => hashtag.tag} hrefOf={(hashtag) => `/tags/${encodeURIComponent(hashtag.tag)}`}>
        {(hashtag) => <Named name={`#${hashtag.tag}`} detail={postsText(hashtag.posts)} />}
      </ResultSection>
      <ResultSection id="results-places" title="Places" items={places} keyOf={(place) => place.id} hrefOf={(place) => `/places/${place.id}`}>
        {(place) => <Named name={place.name} detail={postsText(place.postCount)} />}
      </ResultSection>
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
