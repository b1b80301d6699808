import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Answer } from '../api/client';
import type { Collection } from '../screens/collections';
import { CreateCollection } from '../screens/collections';
import { ErrorMessage, Loading } from './status';

// "Save to collection" on a post's page: a dialog listing the viewer's collections, each a toggle
// (pressed: the post is in it). The API tells no post's collections, so each collection's pages
// are read until the post is found or the pages end (a collection holds at most 1,000 posts:
// at most 10 reads of 100). Adding also bookmarks the post (README "collections"); `onChanged`
// has the command's position so the post's bookmark mark can be read back.

const PAGE = 100;

type CollectionView = Answer<'/api/v1/collections/{collectionId}', 'get'>;

const holds = async (collectionId: string, postId: string): Promise<boolean> => {
  let cursor: string | null = null;
  do {
    const found: CollectionView = await api.get('/api/v1/collections/{collectionId}', { params: { collectionId }, query: { limit: PAGE, ...(cursor ? { cursor } : {}) }, fresh: true });
    if (found.posts.items.some((post) => post.id === postId)) return true;
    cursor = found.posts.nextCursor;
  } while (cursor);
  return false;
};

type Row = Collection & { inIt: boolean | null; busy: boolean };

const CollectionList = ({ postId, onChanged }: { postId: string; onChanged: (position: string) => void }) => {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [round, setRound] = useState(0);

  useEffect(() => {
    let live = true;
    setError(null);
    (async () => {
      const all: Collection[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Collection[]; nextCursor: string | null } = await api.get('/api/v1/collections', { query: { limit: PAGE, ...(cursor ? { cursor } : {}) }, fresh: true });
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      if (!live) return;
      setRows(all.map((collection) => ({ ...collection, inIt: null, busy: false })));
      await Promise.all(
        all.map(async (collection) => {
          const inIt = await holds(collection.id, postId);
          if (live) setRows((shown) => shown?.map((row) => (row.id === collection.id ? { ...row, inIt } : row)) ?? null);
        }),
      );
    })().catch((failure: unknown) => live && setError(failure));
    return () => {
      live = false;
    };
  }, [postId, round]);

  const toggle = async (row: Row) => {
    if (row.busy || row.inIt === null) return;
    const on = !row.inIt;
    const set = (patch: Partial<Row>) => setRows((shown) => shown?.map((each) => (each.id === row.id ? { ...each, ...patch } : each)) ?? null);
    set({ inIt: on, busy: true, postCount: row.postCount + (on ? 1 : -1) });
    setError(null);
    try {
      const params = { collectionId: row.id, postId };
      const answer = on ? await api.post('/api/v1/collections/{collectionId}/posts/{postId}', { params }) : await api.delete('/api/v1/collections/{collectionId}/posts/{postId}', { params });
      set({ inIt: answer.inCollection, busy: false });
      onChanged(answer.position);
    } catch (failure) {
      set({ inIt: row.inIt, busy: false, postCount: row.postCount });
      setError(failure);
    }
  };

  return (
    <>
      {rows === null && error === null && <Loading label="Loading collections…" />}
      {rows !== null && rows.length === 0 && <p class="empty">No collections yet: create one below.</p>}
      {rows !== null && rows.length > 0 && (
        <ul class="save-list">
          {rows.map((row) => (
            <li key={row.id}>
              <button type="button" class="save-toggle" aria-pressed={row.inIt ?? false} disabled={row.busy || row.inIt === null} onClick={() => void toggle(row)}>
                <span class="save-check" aria-hidden="true">
                  {row.inIt && (
                    <svg viewBox="0 0 24 24" width="16" height="16" focusable="false" fill="none" stroke="currentColor" stroke-width="3">
                      <path d="M4 12.5l5 5L20 6.5" />
                    </svg>
                  )}
                </span>
                <span>{row.name}</span>
                <span class="muted">{row.inIt === null ? 'checking…' : row.inIt ? 'Saved here' : 'Add'}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {error !== null && <ErrorMessage error={error} onRetry={() => setRound((n) => n + 1)} />}
      <CreateCollection idPrefix="dialog-collection" onCreated={() => setRound((n) => n + 1)} />
    </>
  );
};

export const SaveToCollection = ({ postId, onChanged }: { postId: string; onChanged: (position: string) => void }) => {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) dialog.current?.showModal();
  }, [open]);
  const close = () => {
    dialog.current?.close();
    setOpen(false);
    opener.current?.focus();
  };
  return (
    <div class="save-to-collection">
      <button type="button" ref={opener} aria-haspopup="dialog" onClick={() => setOpen(true)}>
        Save to collection
      </button>
      {open && (
        <dialog
          ref={dialog}
          class="save-dialog"
          aria-labelledby="save-dialog-title"
          onCancel={(event) => {
            event.preventDefault();
            close();
          }}
        >
          <div class="save-dialog-head">
            <h2 id="save-dialog-title">Save to collection</h2>
            <button type="button" class="link" onClick={close}>
              Close
            </button>
          </div>
          <CollectionList postId={postId} onChanged={onChanged} />
        </dialog>
      )}
    </div>
  );
};
