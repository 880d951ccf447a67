import { attr, fx } from './html-escape';
import { formatMoney, TrendChart } from '../report/model';

/**
 * Small charts of monthly series, side by side: bars (a service's cost per month) with a dashed line at the limit
 * (its budget, bars above it drawn in red), or a line (its unit cost) on a scale of its own. Inline SVG, no script.
 */
export function renderTrendCharts(charts: readonly TrendChart[]): string {
  return `<div class="trends">\n${charts.map(renderTrendChart).join('\n')}\n</div>`;
}

function renderTrendChart(chart: TrendChart): string {
  const W = 360;
  const H = 150;
  const left = 56;
  const right = 10;
  const top = 10;
  const bottom = 26;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const n = chart.buckets.length;
  const values = [...(chart.bars ?? []), ...(chart.line ?? []).filter((v): v is number => v !== null), chart.limit?.value ?? 0];
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const hi = max === min ? min + 1 : max * 1.08;
  const y = (v: number) => top + ((hi - v) / (hi - min)) * plotH;
  const slot = plotW / Math.max(n, 1);
  const out: string[] = [];
  out.push(`<figure class="trend"><figcaption>${attr(chart.title)}</figcaption>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${attr(chart.title)}">`);
  out.push(`<line class="axis" x1="${left}" x2="${W - right}" y1="${fx(y(0))}" y2="${fx(y(0))}"/>`);
  out.push(`<text class="tick" x="${left - 6}" y="${fx(y(max) + 4)}" text-anchor="end">${attr(short(max))}</text>`);
  out.push(`<text class="tick" x="${left - 6}" y="${fx(y(0) + 4)}" text-anchor="end">0</text>`);
  (chart.bars ?? []).forEach((v, j) => {
    const h = Math.abs(y(v) - y(0));
    const over = chart.limit !== undefined && v > chart.limit.value;
    out.push(`<rect class="bar${over ? ' over' : ''}" x="${fx(left + j * slot + slot * 0.15)}" y="${fx(v >= 0 ? y(v) : y(0))}" `
      + `width="${fx(slot * 0.7)}" height="${fx(Math.max(h, 0.5))}"><title>${attr(`${chart.buckets[j]}: ${formatMoney(v)} ${chart.unit}`)}</title></rect>`);
  });
  if (chart.line) {
    const points = chart.line.map((v, j) => (v === null ? undefined : `${fx(left + j * slot + slot / 2)},${fx(y(v))}`));
    const runs: string[][] = [[]];
    for (const p of points) {
      if (p === undefined) runs.push([]); else runs[runs.length - 1].push(p);
    }
    for (const run of runs.filter((r) => r.length > 0)) {
      out.push(`<polyline class="line" points="${run.join(' ')}"/>`);
    }
    chart.line.forEach((v, j) => {
      if (v !== null) {
        out.push(`<circle class="dot" cx="${fx(left + j * slot + slot / 2)}" cy="${fx(y(v))}" r="3"><title>${attr(`${chart.buckets[j]}: ${v.toPrecision(4)} ${chart.unit}`)}</title></circle>`);
      }
    });
  }
  if (chart.limit) {
    out.push(`<line class="limit" x1="${left}" x2="${W - right}" y1="${fx(y(chart.limit.value))}" y2="${fx(y(chart.limit.value))}">`
      + `<title>${attr(chart.limit.label)}</title></line>`);
  }
  chart.buckets.forEach((b, j) => {
    out.push(`<text class="tick" x="${fx(left + j * slot + slot / 2)}" y="${H - bottom + 16}" text-anchor="middle">${attr(b.slice(2))}</text>`);
  });
  out.push('</svg>');
  if (chart.limit) {
    out.push(`<div class="legend-note">dashed: ${attr(chart.limit.label)}</div>`);
  }
  out.push('</figure>');
  return out.join('');
}

/** 1234.5 -> `1.2k`, 0.01234 -> `0.0123`. */
function short(v: number): string {
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}k`;
  if (v >= 1) return v.toFixed(v >= 100 ? 0 : 1);
  return v === 0 ? '0' : v.toPrecision(3);
}

export const TREND_STYLE = `
div.trends { display: flex; flex-wrap: wrap; gap: 8px 20px; margin: 6px 0 10px; }
figure.trend { margin: 0; }
figure.trend figcaption { font-weight: 500; font-size: 12px; }
figure.trend .axis { stroke: #888; }
figure.trend .tick { font-size: 10px; fill: #555; }
figure.trend rect.bar { fill: #2f6fb0; }
figure.trend rect.bar.over { fill: #b8474b; }
figure.trend .limit { stroke: #b8474b; stroke-dasharray: 5 3; stroke-width: 1.5; }
figure.trend .line { fill: none; stroke: #e0803a; stroke-width: 2; }
figure.trend .dot { fill: #e0803a; }
.legend-note { font-size: 11px; color: #666; }
tr.overdue td { background: #fdf0f0; }
tr.due-soon td { background: #fff8e5; }
tr.over-budget td { color: #8a1f1f; }
@media print {
  body { max-width: none; margin: 0; font-size: 11px; }
  section { break-inside: avoid-page; }
  figure.trend svg { width: 300px; height: auto; }
}
`;
