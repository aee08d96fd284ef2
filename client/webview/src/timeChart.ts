// Time series with uPlot: canvas drawing that stays fast with thousands of buckets, about 50 KB, no eval and no
// injected <style> (so it runs under the strict CSP), maintained. Colours come from the theme's chart variables
// and are read again when the theme changes.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCount } from './format';

export interface TimeChartInput {
  xs: number[];
  series: { name: string; values: (number | null)[]; tone?: 'accept' | 'reject' | 'other' }[];
  /** Draw bars stacked in series order (the summary's ACCEPT/REJECT); else lines. */
  stacked?: boolean;
  format?: (v: number) => string;
  /** A click on a bucket (turns drag-to-zoom off, so the two never fight). */
  onClick?: (index: number) => void;
  height?: number;
}

const PALETTE = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-yellow', '--vscode-charts-red', '--vscode-charts-foreground', '--vscode-charts-lines'];
const TONES = { accept: '--vscode-charts-green', reject: '--vscode-charts-red', other: '--vscode-charts-lines' } as const;

function themeColor(variable: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
}

/** Draws the chart into `host` and keeps it sized and themed; returns a disposer. */
export function renderTimeChart(host: HTMLElement, input: TimeChartInput): () => void {
  let chart: uPlot | undefined;
  const format = input.format ?? formatCount;
  const build = () => {
    chart?.destroy();
    const fg = themeColor('--vscode-foreground', '#888');
    const grid = themeColor('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
    // Stacked bars: each series is drawn as its running total, the last (tallest) first so the others sit on it.
    const raw = input.series.map((s) => s.values);
    const totals = raw.map((vs) => vs.reduce<number>((sum, v) => sum + (v ?? 0), 0));
    const drawn = input.stacked
      ? raw.map((_, k) => input.xs.map((__, i) => raw.slice(0, k + 1).reduce<number>((sum, vs) => sum + (vs[i] ?? 0), 0)))
      : raw;
    const order = input.stacked ? [...input.series.keys()].reverse() : [...input.series.keys()];
    const bars = uPlot.paths.bars!({ size: [0.85, 64] });
    const series: uPlot.Series[] = [
      { label: 'time', value: (_u, v) => (v == null ? 'all' : new Date(v * 1000).toISOString().replace('.000Z', 'Z')) },
      ...order.map((k) => {
        const s = input.series[k];
        const color = themeColor(s.tone ? TONES[s.tone] : PALETTE[k % PALETTE.length], '#3794ff');
        return {
          label: s.name,
          stroke: color,
          fill: input.stacked ? color : undefined,
          width: input.stacked ? 0 : 1.5,
          paths: input.stacked ? bars : undefined,
          points: { show: false },
          // The hovered bucket's value; with the cursor off the chart, the series' total.
          value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => format(idx == null ? totals[k] : raw[k][idx] ?? 0),
        } satisfies uPlot.Series;
      }),
    ];
    const opts: uPlot.Options = {
      width: Math.max(200, host.clientWidth),
      height: input.height ?? 260,
      // Bars and counts start at zero; uPlot would otherwise zoom the y axis to the data's range.
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
      series,
      // Buckets are UTC everywhere else (queries, legend, hovers' default), so the axis is UTC too.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 70, values: (_u, vals) => vals.map((v) => format(v)) },
      ],
      cursor: { drag: { x: !input.onClick, y: false }, points: { show: false } },
      legend: { show: true, live: true },
    };
    chart = new uPlot(opts, [input.xs, ...order.map((k) => drawn[k])] as uPlot.AlignedData, host);
    if (input.onClick) {
      const plot = chart;
      plot.over.classList.add('chart-clickable');
      plot.over.addEventListener('click', () => {
        const idx = plot.cursor.idx;
        if (idx != null) input.onClick!(idx);
      });
    }
  };
  build();
  const resize = new ResizeObserver(() => chart?.setSize({ width: Math.max(200, host.clientWidth), height: input.height ?? 260 }));
  resize.observe(host);
  const theme = new MutationObserver(build);
  theme.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return () => {
    resize.disconnect();
    theme.disconnect();
    chart?.destroy();
  };
}
