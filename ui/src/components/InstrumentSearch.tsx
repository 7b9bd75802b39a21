// Autocomplete over the instrument master (/api/instruments/search): debounced,
// cancels stale requests, ARIA combobox with ↑/↓/Enter/Esc.
import { useEffect, useState } from 'preact/hooks';
import type { SearchResult } from '../lib/types';
import { api } from '../lib/api';

const kDebounceMs = 150;

export function InstrumentSearch({ onPick }: { onPick: (r: SearchResult) => void }) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<SearchResult[]>([]);
  const [active, setActive] = useState(0);
  useEffect(() => {
    const text = q.trim();
    if (!text) return setResults([]);
    const ac = new AbortController();
    const timer = setTimeout(() => {
      api<{ results: SearchResult[] }>('GET', `/api/instruments/search?q=${encodeURIComponent(text.slice(0, 64))}&limit=20`, undefined, ac.signal).then(
        (r) => {
          setResults(r.results);
          setActive(0);
        },
        (e: unknown) => !ac.signal.aborted && console.warn('search:', e),
      );
    }, kDebounceMs);
    return () => {
      clearTimeout(timer);
      ac.abort();
    };
  }, [q]);
  const pick = (r: SearchResult | undefined) => {
    if (!r) return;
    onPick(r);
    setQ('');
    setResults([]);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') setActive((i) => Math.min(results.length - 1, i + 1));
    else if (e.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
    else if (e.key === 'Enter') pick(results[active]);
    else if (e.key === 'Escape') setResults([]);
    else return;
    e.preventDefault();
  };
  return (
    <div class="combo">
      <input type="search" role="combobox" aria-expanded={results.length > 0} aria-controls="instrument-results" aria-autocomplete="list"
        aria-activedescendant={results.length ? `ires-${active}` : undefined} placeholder="Add instrument: type a symbol…"
        value={q} onInput={(e) => setQ(e.currentTarget.value)} onKeyDown={onKey} data-testid="instrument-search" />
      {results.length > 0 && (
        <ul id="instrument-results" role="listbox" class="combo-list">
          {results.map((r, i) => (
            <li key={`${r.segment}:${r.security_id}`} id={`ires-${i}`} role="option" aria-selected={i === active}
              class={i === active ? 'active' : ''} onMouseDown={(e) => { e.preventDefault(); pick(r); }} data-testid="instrument-option">
              <span class="sym">{r.symbol}</span> <span class="muted">{r.segment} · {r.type}{r.expiry ? ` · ${r.expiry}` : ''}{r.lot_size ? ` · lot ${r.lot_size}` : ''}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
