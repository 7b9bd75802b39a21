// The strategy registry as the UI sees it: fetched once from /api/strategies
// and shared by the tabs, filters and settings (a strategy added in C++ shows
// up with no UI change).
import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import type { Strategy } from './types';

let cache: Promise<Strategy[]> | null = null;

export function loadStrategies(): Promise<Strategy[]> {
  cache ??= api<{ strategies: Strategy[] }>('GET', '/api/strategies').then(
    (r) => r.strategies,
    (e: unknown) => {
      cache = null;
      throw e;
    },
  );
  return cache;
}

export function useStrategies(): Strategy[] {
  const [list, setList] = useState<Strategy[]>([]);
  useEffect(() => {
    loadStrategies().then(setList, (e: unknown) => console.warn('strategies:', e));
  }, []);
  return list;
}
