import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Comment, type Post } from '../api/client';
import { PostCard } from '../components/post-card';
import { SaveToCollection } from '../components/save-to-collection';
import { ErrorMessage, Loading } from '../components/status';

// A post with its comments: top-level comments oldest first, each with its replies behind a
// button (README "posts": ?parentId=), and a comment box. A new comment is shown once the API
// has it: the comments are read again with ?minPosition= the command's position, so the list is
// the server's (with its id and time), not a local copy.

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const useComments = (postId: string, parentId?: string) => {
  const [items, setItems] = useState<Comment[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const load = async (from: string | null, minPosition?: string) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.get('/api/v1/posts/{postId}/comments', { params: { postId }, query: { ...(from ? { cursor: from } : {}), ...(parentId ? { parentId } : {}), ...(minPosition ? { minPosition } : {}) }, fresh: !minPosition });
      setItems((shown) => (from ? [...shown, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };
  return { items, cursor, loading, error, load };
};

const CommentItem = ({ postId, comment }: { postId: string; comment: Comment }) => {
  const [open, setOpen] = useState(false);
  return (
    <li class="comment">
      <p>
        <strong>{comment.author.username}</strong> {comment.text}
      </p>
      <p class="comment-meta">
        <time dateTime={comment.createdAt}>{timeFormat.format(new Date(comment.createdAt))}</time>
        {comment.replyCount > 0 && (
          <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide replies' : `View replies (${comment.replyCount})`}
          </button>
        )}
      </p>
      {open && <Replies postId={postId} parentId={comment.id} />}
    </li>
  );
};

const Replies = ({ postId, parentId }: { postId: string; parentId: string }) => {
  const { items, cursor, loading, error, load } = useComments(postId, parentId);
  useEffect(() => void load(null), [postId, parentId]);
  return (
    <ul class="replies" aria-label="Replies">
      {items.map((reply) => (
        <CommentItem key={reply.id} postId={postId} comment={reply} />
      ))}
      {loading && <Loading label="Loading replies…" />}
      {error !== null && <ErrorMessage error={error} onRetry={() => void load(null)} />}
      {cursor && !loading && (
        <button type="button" class="link" onClick={() => void load(cursor)}>
          More replies
        </button>
      )}
    </ul>
  );
};

const CommentBox = ({ postId, onPosted }: { postId: string; onPosted: (position: string) => void }) => {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (busy || text.trim() === '') return;
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post('/api/v1/posts/{postId}/comments', { params: { postId }, body: { text: text.trim() } });
      setText('');
      onPosted(answer.position);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="comment-box" onSubmit={onSubmit}>
      <label for="comment-text" class="visually-hidden">
        Add a comment
      </label>
      <textarea id="comment-text" name="text" rows={2} placeholder="Add a comment…" value={text} maxLength={2200} onInput={(event) => setText((event.target as HTMLTextAreaElement).value)} />
      <button type="submit" class="primary" disabled={busy || text.trim() === ''}>
        {busy ? 'Posting…' : 'Post'}
      </button>
      {error !== null && <ErrorMessage error={error} />}
    </form>
  );
};

export const PostScreen = ({ postId }: { postId: string }) => {
  const [post, setPost] = useState<Post | null>(null);
  const [error, setError] = useState<unknown>(null);
  const comments = useComments(postId);
  const loadPost = async (minPosition?: string) => {
    setError(null);
    try {
      setPost(await api.get('/api/v1/posts/{postId}', { params: { postId }, query: minPosition ? { minPosition } : {}, fresh: !minPosition }));
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => {
    setPost(null);
    void loadPost();
    void comments.load(null);
  }, [postId]);

  if (error !== null && post === null) {
    const gone = error instanceof ApiError && error.status === 404;
    return (
      <main class="post-page">
        <h1>{gone ? 'Post not found' : 'This post could not be loaded'}</h1>
        <ErrorMessage error={error} onRetry={gone ? undefined : () => void loadPost()} />
      </main>
    );
  }
  return (
    <main class="post-page" aria-labelledby="post-title">
      <h1 id="post-title" class="visually-hidden">
        Post{post ? ` by ${post.author.username}` : ''}
      </h1>
      {post ? <PostCard post={post} eager linkToPost={false} onFresh={setPost} /> : <Loading label="Loading post…" />}
      {post && <SaveToCollection postId={postId} onChanged={(position) => void loadPost(position)} />}
      <section class="comments" aria-labelledby="comments-title">
        <h2 id="comments-title">Comments</h2>
        <ul class="comment-list">
          {comments.items.map((comment) => (
            <CommentItem key={comment.id} postId={postId} comment={comment} />
          ))}
        </ul>
        {comments.loading && <Loading label="Loading comments…" />}
        {comments.error !== null && <ErrorMessage error={comments.error} onRetry={() => void comments.load(null)} />}
        {!comments.loading && comments.error === null && comments.items.length === 0 && <p class="empty">No comments yet.</p>}
        {comments.cursor && !comments.loading && (
          <button type="button" class="link" onClick={() => void comments.load(comments.cursor)}>
            More comments
          </button>
        )}
        <CommentBox
          postId={postId}
          onPosted={(position) => {
            void comments.load(null, position);
            void loadPost(position);
          }}
        />
      </section>
    </main>
  );
};
