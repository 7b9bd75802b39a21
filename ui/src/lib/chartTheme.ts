// The dashboard's lightweight-charts look, from the theme's CSS variables:
// dark panel, grid, borders, and IST time labels. Shared by every chart.
import { ColorType, type ChartOptions, type DeepPartial, type Time } from 'lightweight-charts';
import { fmtChartTime } from './format';

export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Base options; `priceFormatter` labels the price axis and crosshair. */
export function chartOptions(priceFormatter: (p: number) => string): DeepPartial<ChartOptions> {
  return {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: cssVar('--bg-panel') }, textColor: cssVar('--text-muted'), fontSize: 12, attributionLogo: false },
    grid: { vertLines: { color: cssVar('--grid') }, horzLines: { color: cssVar('--grid') } },
    rightPriceScale: { borderColor: cssVar('--border') },
    timeScale: { borderColor: cssVar('--border'), timeVisible: true, secondsVisible: false, tickMarkFormatter: (x: Time) => fmtChartTime(x as number) },
    localization: { timeFormatter: (x: Time) => fmtChartTime(x as number, true), priceFormatter },
  };
}
