import type { ComponentChildren } from 'preact';

// A caption (or any text the API parsed) with its #hashtags linking to the hashtag page and its
// @mentions to the profile. Only what the API extracted becomes a link (the post's `hashtags` and
// `mentions`, domain/post/caption.ts), so an e-mail address or an over-long tag stays text, as
// the server read it.

const TOKEN = /#([\p{L}\p{M}\p{Nd}_]+)|(?<![\p{L}\p{N}._%+-])@([A-Za-z0-9._]+)/gu;

export const RichText = ({ text, hashtags, mentions }: { text: string; hashtags: readonly string[]; mentions: readonly string[] }) => {
  const tags = new Set(hashtags);
  const names = new Set(mentions);
  const parts: ComponentChildren[] = [];
  let at = 0;
  for (const match of text.matchAll(TOKEN)) {
    const start = match.index;
    const [whole, tag, mention] = match;
    if (tag !== undefined && tags.has(tag.toLowerCase())) {
      parts.push(text.slice(at, start), <a href={`/tags/${encodeURIComponent(tag.toLowerCase())}`}>{whole}</a>);
      at = start + whole.length;
    } else if (mention !== undefined) {
      // "thanks @alice." : the period ends the sentence, not the name.
      const name = mention.replace(/\.+$/, '');
      if (!names.has(name.toLowerCase())) continue;
      parts.push(text.slice(at, start), <a href={`/u/${encodeURIComponent(name.toLowerCase())}`}>@{name}</a>);
      at = start + 1 + name.length;
    }
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
};
