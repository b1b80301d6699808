import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type ApiError, type Post } from '../api/client';

// Like and bookmark with an optimistic update: the button flips and the count moves at once; the
// command's answer carries `position`, and the post is read again with ?minPosition= that
// position (README "Read-your-writes"), so the shown state becomes the server's own (a like
// counted elsewhere meanwhile, or a refusal) rather than the client's guess. Taps while a request
// is out only change what is wanted; when it returns, one more request is sent if the wish
// differs from what the server holds, so fast double taps end in the last wish, never in a race.

export interface Marks {
  liked: boolean;
  likeCount: number;
  bookmarked: boolean;
}

const marksOf = (post: Post): Marks => ({ liked: post.likedByMe, likeCount: post.likeCount, bookmarked: post.bookmarkedByMe });

type Kind = 'like' | 'bookmark';

export const usePostActions = (post: Post, onFresh?: (post: Post) => void) => {
  const [marks, setMarks] = useState<Marks>(marksOf(post));
  const [error, setError] = useState<ApiError | null>(null);
  const server = useRef<Marks>(marksOf(post));
  const wanted = useRef({ like: post.likedByMe, bookmark: post.bookmarkedByMe });
  const busy = useRef({ like: false, bookmark: false });

  useEffect(() => {
    server.current = marksOf(post);
    if (!busy.current.like && !busy.current.bookmark) {
      wanted.current = { like: post.likedByMe, bookmark: post.bookmarkedByMe };
      setMarks(marksOf(post));
    }
  }, [post]);

  const held = (kind: Kind) => (kind === 'like' ? server.current.liked : server.current.bookmarked);

  const send = async (kind: Kind) => {
    busy.current[kind] = true;
    try {
      while (wanted.current[kind] !== held(kind)) {
        const on = wanted.current[kind];
        const params = { postId: post.id };
        const answer =
          kind === 'like'
            ? on
              ? await api.post('/api/v1/posts/{postId}/like', { params })
              : await api.delete('/api/v1/posts/{postId}/like', { params })
            : on
              ? await api.post('/api/v1/posts/{postId}/bookmark', { params })
              : await api.delete('/api/v1/posts/{postId}/bookmark', { params });
        const fresh = await api.get('/api/v1/posts/{postId}', { params, query: { minPosition: answer.position } });
        server.current = marksOf(fresh);
        onFresh?.(fresh);
        // The server's word for this kind; the other keeps its optimistic wish while it is out.
        setMarks((shown) => ({
          ...shown,
          ...(kind === 'like' ? { liked: fresh.likedByMe, likeCount: fresh.likeCount } : { bookmarked: fresh.bookmarkedByMe }),
        }));
        if ((kind === 'like' ? fresh.likedByMe : fresh.bookmarkedByMe) !== on) break; // refused without an error: keep the server's state
      }
    } catch (failure) {
      // Back to what the server holds, and say why.
      wanted.current[kind] = held(kind);
      setMarks((shown) => ({ ...shown, ...(kind === 'like' ? { liked: server.current.liked, likeCount: server.current.likeCount } : { bookmarked: server.current.bookmarked }) }));
      setError(failure as ApiError);
    } finally {
      busy.current[kind] = false;
    }
  };

  const toggle = (kind: Kind) => {
    setError(null);
    const on = !wanted.current[kind];
    wanted.current[kind] = on;
    setMarks((shown) =>
      kind === 'like' ? { ...shown, liked: on, likeCount: Math.max(0, shown.likeCount + (on ? 1 : -1)) } : { ...shown, bookmarked: on },
    );
    if (!busy.current[kind]) void send(kind);
  };

  return { marks, error, toggleLike: () => toggle('like'), toggleBookmark: () => toggle('bookmark') };
};
