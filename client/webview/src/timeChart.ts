// Time series with uPlot: canvas drawing that stays fast with thousands of buckets, about 50 KB, no eval and no
// injected <style> (so it runs under the strict CSP), maintained. Colours come from the theme's chart variables
// and are read again when the theme changes.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatBytes, formatCount } from './format';
import { isolatedPoints, type Unit } from './chartData';

export interface TimeChartInput {
  xs: number[];
  /** A series with a unit is read in it (bytes as KiB…, counts plain); series of a second unit get a right axis. */
  series: { name: string; values: (number | null)[]; tone?: 'accept' | 'reject' | 'other'; unit?: Unit }[];
  /** Draw bars stacked in series order (the summary's ACCEPT/REJECT); else lines. */
  stacked?: boolean;
  /** How values of series without a unit read (default: counts). */
  format?: (v: number) => string;
  /** A click on a bucket (turns drag-to-zoom off, so the two never fight). */
  onClick?: (index: number) => void;
  height?: number;
}

const UNIT_FORMAT: Record<Unit, (v: number) => string> = { bytes: formatBytes, count: formatCount };

/** Tick steps: whole numbers for counts (no 0.5 record), round binary sizes for bytes (1 KiB, 2 KiB, 5 KiB…). */
const steps = (base: number) => Array.from({ length: 7 }, (_, p) => [1, 2, 5, 10, 20, 50, 100, 200, 500].map((m) => m * base ** p)).flat();
const UNIT_TICKS: Record<Unit, number[]> = { bytes: steps(1024), count: steps(1000) };

const PALETTE = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-yellow', '--vscode-charts-red', '--vscode-charts-foreground', '--vscode-charts-lines'];
const TONES = { accept: '--vscode-charts-green', reject: '--vscode-charts-red', other: '--vscode-charts-lines' } as const;

function themeColor(variable: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
}

/** Draws the chart into `host` and keeps it sized and themed; returns a disposer. */
export function renderTimeChart(host: HTMLElement, input: TimeChartInput): () => void {
  let chart: uPlot | undefined;
  const fallback = input.format ?? formatCount;
  const formatOf = (k: number) => {
    const unit = input.series[k].unit;
    return unit ? UNIT_FORMAT[unit] : fallback;
  };
  // One y scale per unit, in the order the series bring them: the first on the left, a second on the right.
  const units = [...new Set(input.series.map((s) => s.unit))];
  const scaleOf = (k: number) => (units.indexOf(input.series[k].unit) === 0 ? 'y' : 'y2');
  const isolated = input.series.map((s) => isolatedPoints(s.values));
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
        const format = formatOf(k);
        return {
          label: s.name,
          scale: scaleOf(k),
          stroke: color,
          fill: input.stacked ? color : undefined,
          width: input.stacked ? 0 : 1.5,
          paths: input.stacked ? bars : undefined,
          // Lines: every bucket as a point when there is room for them, else the buckets alone between gaps.
          points: input.stacked
            ? { show: false }
            : {
              show: (u: uPlot, _si: number, i0: number, i1: number) => i1 - i0 < u.bbox.width / devicePixelRatio / 12,
              filter: (_u: uPlot, _si: number, show: boolean) => (show || isolated[k].length === 0 ? null : isolated[k]),
              // The first series' points are larger, so that one hidden under another at the same spot still shows.
              size: Math.max(5, 9 - 2 * k),
              fill: color,
            },
          // The hovered bucket's value (none where the bucket is missing); with the cursor off the chart, the total.
          value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => {
            if (idx == null) return format(totals[k]);
            const v = raw[k][idx];
            return v == null ? (input.stacked ? format(0) : '–') : format(v);
          },
        } satisfies uPlot.Series;
      }),
    ];
    const fromZero: uPlot.Scale = { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] };
    const axis = (k: number, side: 1 | 3, showGrid: boolean): uPlot.Axis => {
      const format = formatOf(k);
      const unit = input.series[k].unit;
      return {
        scale: scaleOf(k), side, stroke: fg, size: 70,
        ...(unit ? { incrs: UNIT_TICKS[unit] } : {}),
        grid: { show: showGrid, stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 },
        values: (_u, vals) => vals.map((v) => format(v)),
      };
    };
    const firstOfUnit = units.map((u) => input.series.findIndex((s) => s.unit === u));
    const opts: uPlot.Options = {
      width: Math.max(200, host.clientWidth),
      height: input.height ?? 260,
      // Bars and counts start at zero; uPlot would otherwise zoom the y axis to the data's range. The x range has a
      // margin, so that a point on the first or last bucket (or a single bucket) is drawn whole.
      scales: {
        x: { time: true, range: (_u, min, max) => (max > min ? [min - (max - min) * 0.02, max + (max - min) * 0.02] : [min - 3600, max + 3600]) },
        y: fromZero,
        ...(units.length > 1 ? { y2: fromZero } : {}),
      },
      series,
      // Buckets are UTC everywhere else (queries, legend, hovers' default), so the axis is UTC too.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        axis(firstOfUnit[0], 3, true),
        ...(units.length > 1 ? [axis(firstOfUnit[1], 1, false)] : []),
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
