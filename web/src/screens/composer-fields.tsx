import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { comboboxProps, SuggestionList, useSuggestions, type Suggestion } from '../components/suggestions';
import { plural } from '../text';

// The composer's text fields with suggestions from the search API: the caption (a `#tag` or
// `@name` being typed, from /search/autocomplete, which answers hashtags for `#…` and users for
// `@…`), a username (for a tag on a photo) and a place (from /search?type=places).

/** kernel/limits.ts CAPTION_MAX_LENGTH and LOCATION_NAME_MAX_LENGTH (the domain's rules; the API answers any breach). */
export const CAPTION_MAX = 2200;
export const PLACE_MAX = 100;

const autocomplete = async (q: string, signal: AbortSignal): Promise<Suggestion[]> => {
  const found = await api.get('/api/v1/search/autocomplete', { query: { q, limit: 8 }, signal });
  return [
    ...found.hashtags.map((hashtag) => ({ value: `#${hashtag.tag}`, detail: plural(hashtag.posts, 'post', 'posts') })),
    ...found.users.map((user) => ({ value: `@${user.username}`, ...(user.displayName ? { detail: user.displayName } : {}) })),
  ];
};

/** The `#…` or `@…` word that ends at the caret, if one is being typed. */
const wordAt = (text: string, caret: number) => {
  const match = /(?:^|[^\p{L}\p{N}_.])([#@][\p{L}\p{N}_.]{1,99})$/u.exec(text.slice(0, caret));
  return match ? { word: match[1]!, start: caret - match[1]!.length } : null;
};

export const CaptionField = ({ value, onChange }: { value: string; onChange: (text: string) => void }) => {
  const field = useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState(0);
  const typed = wordAt(value, caret);
  const list = useSuggestions(typed?.word ?? null, autocomplete);
  const nextCaret = useRef<number | null>(null);
  const consumed = useRef(false);
  useEffect(() => {
    if (nextCaret.current === null || !field.current) return;
    field.current.setSelectionRange(nextCaret.current, nextCaret.current);
    nextCaret.current = null;
  });
  const pick = (item: Suggestion) => {
    if (!typed) return;
    const inserted = `${item.value} `;
    const text = value.slice(0, typed.start) + inserted + value.slice(caret);
    nextCaret.current = typed.start + inserted.length;
    setCaret(nextCaret.current);
    onChange(text);
  };
  const track = (event: Event) => setCaret((event.target as HTMLTextAreaElement).selectionStart);
  return (
    <div class="field suggest">
      <label for="caption">Caption</label>
      <textarea
        ref={field}
        id="caption"
        rows={4}
        maxLength={CAPTION_MAX}
        value={value}
        placeholder="Write a caption… #hashtags and @mentions are suggested"
        aria-describedby="caption-count"
        {...comboboxProps('caption', list, false)}
        onInput={(event) => {
          onChange((event.target as HTMLTextAreaElement).value);
          track(event);
        }}
        onKeyUp={(event) => {
          // A key the list took (ArrowDown in it) did not move the caret; any other may have.
          if (consumed.current) consumed.current = false;
          else track(event);
        }}
        onClick={track}
        onKeyDown={(event) => {
          consumed.current = list.onKeyDown(event, pick);
        }}
        onBlur={list.close}
      />
      <SuggestionList id="caption" label="Suggestions" list={list} onPick={pick} />
      <p id="caption-count" class="field-hint">
        {value.length.toLocaleString()} / {CAPTION_MAX.toLocaleString()}
      </p>
    </div>
  );
};

const users = async (q: string, signal: AbortSignal): Promise<Suggestion[]> => {
  const found = await api.get('/api/v1/search/autocomplete', { query: { q: `@${q}`, limit: 8 }, signal });
  return found.users.map((user) => ({ value: user.username, ...(user.displayName ? { detail: user.displayName } : {}) }));
};

/** A username to tag: suggested as typed; Enter with no list open takes what is typed. */
export const UsernameField = ({ id, label, onPick, onCancel }: { id: string; label: string; onPick: (username: string) => void; onCancel: () => void }) => {
  const [text, setText] = useState('');
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);
  const name = text.trim().replace(/^@/, '');
  const list = useSuggestions(name.length > 0 ? name : null, users);
  const take = (username: string) => {
    if (username) onPick(username);
  };
  return (
    <div class="field suggest tag-picker">
      <label for={id}>{label}</label>
      <input
        ref={field}
        id={id}
        type="text"
        autoComplete="off"
        autoCapitalize="none"
        spellcheck={false}
        value={text}
        {...comboboxProps(id, list, true)}
        onInput={(event) => setText((event.target as HTMLInputElement).value)}
        onKeyDown={(event) => {
          if (list.onKeyDown(event, (item) => take(item.value))) return;
          if (event.key === 'Enter') {
            event.preventDefault();
            take(name);
          } else if (event.key === 'Escape') onCancel();
        }}
      />
      <SuggestionList id={id} label="People" list={list} onPick={(item) => take(item.value)} />
      <div class="tag-picker-actions">
        <button type="button" onClick={() => take(name)} disabled={!name}>
          Add tag
        </button>
        <button type="button" class="link" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
};

export interface Place {
  name: string;
  lat?: number;
  lon?: number;
}

/** The place's known coordinates travel with its name, so a picked place is the same location as its other posts'. */
export const LocationField = ({ value, onChange }: { value: Place; onChange: (place: Place) => void }) => {
  const known = useRef(new Map<string, Place>());
  const places = async (q: string, signal: AbortSignal): Promise<Suggestion[]> => {
    const found = await api.get('/api/v1/search', { query: { q, type: 'places', limit: 6 }, signal });
    return (found.places ?? []).map((place) => {
      known.current.set(place.name, { name: place.name, ...(place.lat !== undefined && place.lon !== undefined ? { lat: place.lat, lon: place.lon } : {}) });
      return { value: place.name, detail: plural(place.postCount, 'post', 'posts') };
    });
  };
  const [typing, setTyping] = useState(false);
  const list = useSuggestions(typing && value.name.trim().length > 1 ? value.name.trim() : null, places);
  const pick = (item: Suggestion) => {
    setTyping(false);
    onChange(known.current.get(item.value) ?? { name: item.value });
  };
  return (
    <div class="field suggest">
      <label for="location">Location (optional)</label>
      <input
        id="location"
        type="text"
        autoComplete="off"
        maxLength={PLACE_MAX}
        value={value.name}
        placeholder="Add a place"
        {...comboboxProps('location', list, true)}
        onInput={(event) => {
          setTyping(true);
          onChange({ name: (event.target as HTMLInputElement).value });
        }}
        onKeyDown={(event) => {
          // Enter picks a place, or does nothing: it does not share the post from this field.
          if (!list.onKeyDown(event, pick) && event.key === 'Enter') event.preventDefault();
        }}
        onBlur={list.close}
      />
      <SuggestionList id="location" label="Places" list={list} onPick={pick} />
    </div>
  );
};
