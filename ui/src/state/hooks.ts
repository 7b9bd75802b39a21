// Preact glue: the single LiveStore, a hook that re-renders on its
// notifications, and a tiny History-API router (the server answers every
// extension-less path with index.html).
import { useEffect, useState } from 'preact/hooks';
import { LiveStore } from './live';

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
export const store = new LiveStore(wsUrl);

export function useLive(): LiveStore {
  const [, setTick] = useState(0);
  useEffect(() => store.subscribe(() => setTick((t) => t + 1)), []);
  return store;
}

export interface Route {
  path: string;
  search: string;
}

const routeListeners = new Set<() => void>();
window.addEventListener('popstate', () => routeListeners.forEach((fn) => fn()));

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  routeListeners.forEach((fn) => fn());
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>({ path: location.pathname, search: location.search });
  useEffect(() => {
    const fn = () => setRoute({ path: location.pathname, search: location.search });
    routeListeners.add(fn);
    return () => routeListeners.delete(fn);
  }, []);
  return route;
}

/** Re-render every `ms` (clocks and countdowns). */
export function useTicker(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
