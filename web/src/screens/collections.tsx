import { useEffect, useState } from 'preact/hooks';
import { api, type Answer, type Post } from '../api/client';
import { ConfirmDialog } from '../components/confirm-dialog';
import { PageState, usePaged, type Page } from '../components/paged';
import { PostGrid, thumbOf } from '../components/post-grid';
import { ErrorMessage } from '../components/status';
import { navigate } from '../router';
import { plural } from '../text';
import { NotLoaded } from './discovery-parts';

// Saved posts (README "collections"): the viewer's collections, each with its count and cover,
// and "All saved" (every bookmark); a collection's page with its posts, renamed, deleted (after a
// confirmation) or a post taken out of it. Every read after a command passes the command's
// position (fresh), so the list shown is the server's, never a local guess; a refusal is shown
// with the API's message (e.g. INVALID_COLLECTION_NAME) and changes nothing.

export type Collection = Answer<'/api/v1/collections', 'get'>['items'][number];
type Media = NonNullable<Collection['cover']>;

const countText = (n: number) => plural(n, 'post', 'posts');

const coverUrl = (media: Media | null | undefined) => (media ? (thumbOf(media)?.src ?? null) : null);

const Tile = ({ href, name, count, cover }: { href: string; name: string; count: string | null; cover: Media | null | undefined }) => {
  const url = coverUrl(cover);
  return (
    <li>
      <a class="collection-tile" href={href}>
        <span class="collection-cover" style={{ backgroundColor: cover?.dominantColor ?? undefined }}>
          {url && <img src={url} alt="" width={300} height={300} loading="lazy" decoding="async" />}
        </span>
        <strong>{name}</strong>
        {count !== null && <span class="muted">{count}</span>}
      </a>
    </li>
  );
};

/** A new collection by name; `onCreated` with its id once the API has it. */
export const CreateCollection = ({ onCreated, idPrefix = 'new-collection' }: { onCreated: (collectionId: string) => void; idPrefix?: string }) => {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post('/api/v1/collections', { body: { name } });
      setName('');
      onCreated(answer.collectionId);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="collection-form" onSubmit={onSubmit}>
      <label for={`${idPrefix}-name`}>New collection</label>
      <div class="collection-form-row">
        <input id={`${idPrefix}-name`} name="name" value={name} placeholder="e.g. Trips" onInput={(event) => setName((event.target as HTMLInputElement).value)} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
      </div>
      {error !== null && <ErrorMessage error={error} />}
    </form>
  );
};

export const SavedScreen = () => {
  const [round, setRound] = useState(0);
  const collections = usePaged<Collection>(`collections ${round}`, (cursor) => api.get('/api/v1/collections', { query: cursor ? { cursor } : {}, fresh: true }));
  const [allCover, setAllCover] = useState<Media | null>(null);
  useEffect(() => {
    api
      .get('/api/v1/bookmarks', { query: { limit: 1 }, fresh: true })
      .then((page) => setAllCover(page.items[0]?.media[0] ?? null))
      .catch(() => setAllCover(null));
  }, []);
  return (
    <main class="discovery" aria-labelledby="saved-title">
      <h1 id="saved-title" class="page-title">
        Saved
      </h1>
      <CreateCollection onCreated={() => setRound((n) => n + 1)} />
      <ul class="collection-tiles" aria-label="Collections" aria-busy={collections.loading}>
        <Tile href="/saved/all" name="All saved" count={null} cover={allCover} />
        {collections.items.map((collection) => (
          <Tile key={collection.id} href={`/saved/${collection.id}`} name={collection.name} count={countText(collection.postCount)} cover={collection.cover} />
        ))}
      </ul>
      <PageState list={collections} loadingLabel="Loading collections…" empty="No collections yet. Create one, then save posts to it from a post's page." />
    </main>
  );
};

type CollectionPage = Page<Post> & { name: string; postCount: number };

const AllSaved = () => {
  const posts = usePaged<Post>('bookmarks', (cursor) => api.get('/api/v1/bookmarks', { query: cursor ? { cursor } : {}, fresh: cursor === null }));
  return (
    <main class="discovery" aria-labelledby="collection-title">
      <p class="crumb">
        <a href="/saved">Saved</a>
      </p>
      <h1 id="collection-title" class="page-title">
        All saved
      </h1>
      <PostGrid label="All saved posts" list={posts} empty="Nothing saved yet. Bookmark a post to keep it here." />
    </main>
  );
};

const OneCollection = ({ collectionId }: { collectionId: string }) => {
  const [meta, setMeta] = useState<{ name: string; postCount: number } | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const posts = usePaged<Post, CollectionPage>(
    collectionId,
    async (cursor) => {
      const found = await api.get('/api/v1/collections/{collectionId}', { params: { collectionId }, query: cursor ? { cursor } : {}, fresh: true });
      return { ...found.posts, name: found.name, postCount: found.postCount };
    },
    (page) => setMeta({ name: page.name, postCount: page.postCount }),
  );
  const params = { collectionId };

  const rename = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.put('/api/v1/collections/{collectionId}', { params, body: { name: newName } });
      const found = await api.get('/api/v1/collections/{collectionId}', { params, query: { limit: 1 }, fresh: true });
      setMeta({ name: found.name, postCount: found.postCount });
      setRenaming(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setConfirming(false);
    setBusy(true);
    setError(null);
    try {
      await api.delete('/api/v1/collections/{collectionId}', { params });
      navigate('/saved', { replace: true });
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  const takeOut = async (post: Post) => {
    setError(null);
    const before = posts.items;
    posts.setItems(before.filter((shown) => shown.id !== post.id));
    setMeta((shown) => shown && { ...shown, postCount: Math.max(0, shown.postCount - 1) });
    try {
      await api.delete('/api/v1/collections/{collectionId}/posts/{postId}', { params: { collectionId, postId: post.id } });
    } catch (failure) {
      posts.setItems(before);
      setMeta((shown) => shown && { ...shown, postCount: shown.postCount + 1 });
      setError(failure);
    }
  };

  if (meta === null && posts.error !== null) {
    return (
      <NotLoaded what="Collection" error={posts.error} onRetry={posts.retry}>
        <p class="crumb">
          <a href="/saved">Saved</a>
        </p>
      </NotLoaded>
    );
  }
  return (
    <main class="discovery" aria-labelledby="collection-title">
      <p class="crumb">
        <a href="/saved">Saved</a>
      </p>
      <div class="collection-head">
        <div>
          <h1 id="collection-title" class="page-title">
            {meta?.name ?? 'Collection'}
          </h1>
          {meta && <p class="muted">{countText(meta.postCount)}</p>}
        </div>
        {meta && !renaming && (
          <div class="collection-actions">
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                setNewName(meta.name);
                setError(null);
                setRenaming(true);
              }}
            >
              Rename
            </button>
            <button type="button" class="danger" disabled={busy} onClick={() => setConfirming(true)}>
              Delete collection
            </button>
          </div>
        )}
      </div>
      {renaming && (
        <form class="collection-form" onSubmit={rename}>
          <label for="collection-name">Collection name</label>
          <div class="collection-form-row">
            <input id="collection-name" value={newName} onInput={(event) => setNewName((event.target as HTMLInputElement).value)} />
            <button type="submit" class="primary" disabled={busy}>
              Save
            </button>
            <button type="button" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {error !== null && <ErrorMessage error={error} />}
      {confirming && meta && (
        <ConfirmDialog title={`Delete “${meta.name}”?`} confirmLabel="Delete" danger onConfirm={() => void remove()} onCancel={() => setConfirming(false)}>
          <p>The collection goes; its posts stay saved in All saved.</p>
        </ConfirmDialog>
      )}
      <PostGrid
        label={meta ? `Posts in ${meta.name}` : 'Posts in this collection'}
        list={meta === null ? { ...posts, error: null } : posts}
        empty="No posts in this collection yet. Save one from a post's page."
        itemAction={(post) => (
          <button type="button" class="link grid-remove" onClick={() => void takeOut(post)}>
            Remove<span class="visually-hidden"> post by {post.author.username} from this collection</span>
          </button>
        )}
      />
    </main>
  );
};

export const CollectionScreen = ({ collectionId }: { collectionId: string }) => (collectionId === 'all' ? <AllSaved /> : <OneCollection collectionId={collectionId} />);
