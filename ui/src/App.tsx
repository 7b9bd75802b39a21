// Shell: status bar, tab navigation (fixed views + one tab per registered
// strategy), the routed view, and toasts.
import { Header } from './components/Header';
import { Toasts } from './components/Toasts';
import { Scanner } from './components/Scanner';
import { AlertHistory } from './components/AlertHistory';
import { Watchlists } from './components/Watchlists';
import { Settings } from './components/Settings';
import { StrategyTab } from './components/StrategyTab';
import { ChartView } from './components/ChartView';
import { Backtests } from './components/Backtests';
import { navigate, useRoute } from './state/hooks';
import { useStrategies } from './lib/strategies';

interface Tab {
  path: string;
  label: string;
}

function activePath(path: string): string {
  if (path === '/' || path.startsWith('/scanner') || path.startsWith('/chart/')) return '/scanner';
  if (path.startsWith('/backtests')) return '/backtests';
  return path;
}

export function App() {
  const route = useRoute();
  const strategies = useStrategies();
  const tabs: Tab[] = [
    { path: '/scanner', label: 'Scanner' },
    { path: '/alerts', label: 'Alerts' },
    ...strategies.map((s) => ({ path: `/strategy/${encodeURIComponent(s.id)}`, label: s.name })),
    { path: '/backtests', label: 'Backtests' },
    { path: '/watchlists', label: 'Watchlists' },
    { path: '/settings', label: 'Settings' },
  ];
  const active = activePath(route.path);
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const i = tabs.findIndex((t) => t.path === active);
    const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    if (next) {
      navigate(next.path);
      requestAnimationFrame(() => document.querySelector<HTMLElement>('[role=tab][aria-selected=true]')?.focus());
    }
  };
  return (
    <>
      <Header />
      <nav class="tabs" role="tablist" aria-label="views" onKeyDown={onKey}>
        {tabs.map((t) => (
          <a
            key={t.path}
            href={t.path}
            role="tab"
            aria-selected={active === t.path}
            tabIndex={active === t.path ? 0 : -1}
            class={active === t.path ? 'tab active' : 'tab'}
            data-testid={`tab-${t.path.slice(1).replace('/', '-')}`}
            onClick={(e) => {
              e.preventDefault();
              navigate(t.path);
            }}
          >
            {t.label}
          </a>
        ))}
      </nav>
      <main class="view" role="tabpanel" aria-label={tabs.find((t) => t.path === active)?.label ?? 'view'}>
        <View path={route.path} search={route.search} />
      </main>
      <Toasts />
    </>
  );
}

function View({ path, search }: { path: string; search: string }) {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case undefined:
    case 'scanner':
      return <Scanner search={search} />;
    case 'alerts':
      return <AlertHistory search={search} />;
    case 'backtests':
      return <Backtests id={parts[1]} />;
    case 'watchlists':
      return <Watchlists />;
    case 'settings':
      return <Settings />;
    case 'strategy':
      return <StrategyTab id={parts[1] ?? ''} />;
    case 'chart':
      return <ChartView segment={parts[1] ?? ''} securityId={Number(parts[2])} />;
    default:
      return <p class="empty">Unknown page. <a href="/">Back to the scanner</a></p>;
  }
}
