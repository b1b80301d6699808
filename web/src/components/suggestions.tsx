import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import './suggestions.css';

// Suggestions under a text field, in the ARIA combobox pattern (the composer's caption, tag and
// place fields; search): the field keeps focus and names the highlighted option with
// aria-activedescendant; ArrowDown/ArrowUp move, Enter picks, Escape closes. The lookup is
// debounced, each new query aborts the one before, and a stale answer is dropped.

export interface Suggestion {
  /** What the option says and what is inserted. */
  value: string;
  /** A second line (a display name, a post count). */
  detail?: string;
}

const DEBOUNCE_MS = 200;

export interface SuggestionsOptions {
  /**
   * The first option is active as soon as the list opens, and Tab takes it too (the composer,
   * where Enter in the field inserts an option). Without it (search) no option is active until an
   * arrow key, Enter with none active is the field's own, and an arrow key opens a closed list again.
   */
  autoSelect?: boolean;
}

/** `query` null: nothing is being asked (the list empties). */
export const useSuggestions = <T,>(query: string | null, lookup: (query: string, signal: AbortSignal) => Promise<T[]>, { autoSelect = true }: SuggestionsOptions = {}) => {
  const first = autoSelect ? 0 : -1;
  const [items, setItems] = useState<T[]>([]);
  const [active, setActive] = useState(first);
  const [closed, setClosed] = useState(false);
  const [pending, setPending] = useState(false);
  const [answered, setAnswered] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const lookupRef = useRef(lookup);
  lookupRef.current = lookup;
  const request = useRef<AbortController | null>(null);
  useEffect(() => {
    setClosed(false);
    setError(null);
    if (query === null) {
      setItems([]);
      setAnswered(false);
      setPending(false);
      return;
    }
    setPending(true);
    const controller = new AbortController();
    request.current = controller;
    const timer = setTimeout(() => {
      lookupRef.current(query, controller.signal).then(
        (found) => {
          if (controller.signal.aborted) return;
          setItems(found);
          setActive(first);
          setAnswered(true);
          setPending(false);
        },
        // A failed lookup means no suggestions (typing goes on); the caller may show why.
        (failure: unknown) => {
          if (controller.signal.aborted) return;
          setItems([]);
          setError(failure);
          setPending(false);
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query]);
  const open = !closed && query !== null && items.length > 0;
  /** The field's keydown: true when the key was the list's (the caller then does nothing else with it). */
  const onKeyDown = (event: KeyboardEvent, pick: (item: T) => void): boolean => {
    const arrow = event.key === 'ArrowDown' || event.key === 'ArrowUp';
    if (!open && !(arrow && !autoSelect && query !== null && items.length > 0)) return false;
    const count = items.length;
    if (arrow) {
      setClosed(false);
      setActive((at) => (event.key === 'ArrowDown' ? (at + 1) % count : at <= 0 ? count - 1 : at - 1));
    } else if (event.key === 'Enter' || (autoSelect && event.key === 'Tab' && !event.shiftKey)) {
      const item = items[active];
      if (!item) return false;
      pick(item);
      setClosed(true);
    } else if (event.key === 'Escape') setClosed(true);
    else return false;
    event.preventDefault();
    return true;
  };
  return {
    items: open ? items : [],
    active: open ? active : -1,
    open,
    pending,
    /** The lookup for this query answered none (and the list is not closed). */
    none: !closed && query !== null && answered && !pending && items.length === 0 && error === null,
    error,
    onKeyDown,
    setActive,
    close: () => setClosed(true),
    reopen: () => setClosed(false),
    /** Stop the lookup on its way and close (the field's own action, e.g. a search, came first). */
    cancel: () => {
      request.current?.abort();
      setPending(false);
      setClosed(true);
    },
  };
};

export type SuggestionsState<T> = ReturnType<typeof useSuggestions<T>>;

/** The attributes of the field that owns a list (an input gets the combobox role; a textarea stays a textbox). */
export const comboboxProps = (id: string, list: { open: boolean; active: number }, asCombobox: boolean) => ({
  ...(asCombobox ? { role: 'combobox' as const, 'aria-expanded': list.open } : {}),
  'aria-autocomplete': 'list' as const,
  'aria-controls': `${id}-list`,
  'aria-activedescendant': list.open && list.active >= 0 ? `${id}-option-${list.active}` : undefined,
});

const plain = (item: Suggestion) => (
  <>
    <span class="suggestion-value">{item.value}</span>
    {item.detail && <span class="suggestion-detail">{item.detail}</span>}
  </>
);

interface ListProps<T> {
  id: string;
  label: string;
  list: Pick<SuggestionsState<T>, 'items' | 'active' | 'setActive'>;
  onPick: (item: T) => void;
  /** A stable key of an option (its value for plain suggestions). */
  keyOf?: (item: T) => string;
  /** What an option shows (plain suggestions: value and detail). */
  render?: (item: T) => ComponentChildren;
  /** The pointer over an option makes it the active one. */
  hover?: boolean;
  class?: string;
}

/** The listbox of a field's suggestions; `render` (and `keyOf`) for options richer than a value and a detail. */
export const SuggestionList = <T = Suggestion,>({ id, label, list, onPick, keyOf, render, hover = false, class: extra }: ListProps<T>) => (
    <ul id={`${id}-list`} class={extra ? `suggest-list ${extra}` : 'suggest-list'} role="listbox" aria-label={label} hidden={list.items.length === 0}>
      {list.items.map((item, at) => (
        <li
          key={keyOf ? keyOf(item) : (item as Suggestion).value}
          id={`${id}-option-${at}`}
          role="option"
          aria-selected={at === list.active}
          // mousedown, not click: the field keeps its focus and caret.
          onMouseDown={(event) => {
            event.preventDefault();
            onPick(item);
          }}
          onMouseEnter={hover ? () => list.setActive(at) : undefined}
        >
          {render ? render(item) : plain(item as Suggestion)}
        </li>
      ))}
    </ul>
);
