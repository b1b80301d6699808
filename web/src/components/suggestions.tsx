import { useEffect, useRef, useState } from 'preact/hooks';

// Suggestions under a text field, in the ARIA combobox pattern: the field keeps focus and names
// the highlighted option with aria-activedescendant; ArrowDown/ArrowUp move, Enter (or Tab)
// picks, Escape closes. The lookup is debounced and a stale answer (for an older query) dropped.

export interface Suggestion {
  /** What the option says and what is inserted. */
  value: string;
  /** A second line (a display name, a post count). */
  detail?: string;
}

const DEBOUNCE_MS = 200;

export const useSuggestions = (query: string | null, lookup: (query: string, signal: AbortSignal) => Promise<Suggestion[]>) => {
  const [items, setItems] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(0);
  const [closed, setClosed] = useState(false);
  const lookupRef = useRef(lookup);
  lookupRef.current = lookup;
  useEffect(() => {
    setClosed(false);
    if (query === null) {
      setItems([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      lookupRef.current(query, controller.signal).then(
        (found) => {
          if (controller.signal.aborted) return;
          setItems(found);
          setActive(0);
        },
        // A failed lookup only means no suggestions: typing goes on.
        () => !controller.signal.aborted && setItems([]),
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query]);
  const open = !closed && query !== null && items.length > 0;
  /** The field's keydown: true when the key was the list's (the caller then does nothing else with it). */
  const onKeyDown = (event: KeyboardEvent, pick: (item: Suggestion) => void): boolean => {
    if (!open) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((at) => (at + step + items.length) % items.length);
    } else if (event.key === 'Enter' || (event.key === 'Tab' && !event.shiftKey)) {
      const item = items[active];
      if (!item) return false;
      pick(item);
      setClosed(true);
    } else if (event.key === 'Escape') setClosed(true);
    else return false;
    event.preventDefault();
    return true;
  };
  return { items: open ? items : [], active, open, onKeyDown, close: () => setClosed(true) };
};

/** The attributes of the field that owns a list (an input gets the combobox role; a textarea stays a textbox). */
export const comboboxProps = (id: string, list: { open: boolean; active: number }, asCombobox: boolean) => ({
  ...(asCombobox ? { role: 'combobox' as const, 'aria-expanded': list.open } : {}),
  'aria-autocomplete': 'list' as const,
  'aria-controls': `${id}-list`,
  'aria-activedescendant': list.open ? `${id}-option-${list.active}` : undefined,
});

export const SuggestionList = ({ id, label, list, onPick }: { id: string; label: string; list: { items: Suggestion[]; active: number }; onPick: (item: Suggestion) => void }) => (
  <ul id={`${id}-list`} class="suggest-list" role="listbox" aria-label={label} hidden={list.items.length === 0}>
    {list.items.map((item, at) => (
      <li
        key={item.value}
        id={`${id}-option-${at}`}
        role="option"
        aria-selected={at === list.active}
        // mousedown, not click: the field keeps its focus and caret.
        onMouseDown={(event) => {
          event.preventDefault();
          onPick(item);
        }}
      >
        <span class="suggestion-value">{item.value}</span>
        {item.detail && <span class="suggestion-detail">{item.detail}</span>}
      </li>
    ))}
  </ul>
);
