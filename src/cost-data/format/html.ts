import { attr, esc, fx } from './html-escape';
import { renderTrendCharts, TREND_STYLE } from './html-trend';
import { Breakdown, Chart, ChartSeries, Column, Decimal, displayCell, formatMoney, Report, SegmentKind, showBidi, Table } from '../report/model';

export { esc } from './html-escape';

const PALETTE = ['#2f6fb0', '#e0803a', '#3d9a5b', '#b8474b', '#7b5ea7', '#8c6d46', '#d16ba5', '#5b8c8c', '#b2a23a', '#4a4a8a'];
const UNTAGGED_COLOUR = '#9a9a9a';
const OTHER_COLOUR = '#c9c2b8';
const DIRECT_COLOUR = '#2f6fb0';
const PROVIDER_PALETTE = ['#e0803a', '#3d9a5b', '#b8474b', '#7b5ea7', '#8c6d46', '#d16ba5', '#5b8c8c', '#b2a23a', '#4a4a8a'];

/**
 * One self-contained HTML file: inline CSS, the chart as inline SVG, the tables; no script, no external
 * resource (a Content-Security-Policy forbids any), so it opens offline and can be mailed as-is.
 * Every value is HTML-escaped.
 */
export function renderHtml(report: Report): string {
  const parts: string[] = [];
  parts.push('<!DOCTYPE html>');
  parts.push('<html lang="en">');
  parts.push('<head>');
  parts.push('<meta charset="utf-8">');
  parts.push('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">');
  parts.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  parts.push(`<title>${attr(report.title)}</title>`);
  parts.push(`<style>${STYLE}${report.sections.some((s) => s.trendCharts) ? TREND_STYLE : ''}</style>`);
  parts.push('</head>');
  parts.push('<body>');
  parts.push(`<h1>${text(report.title)}</h1>`);
  if (report.summary.length > 0) {
    parts.push(`<ul class="summary">${report.summary.map((l) => `<li>${text(l)}</li>`).join('')}</ul>`);
  }
  if (report.breakdown) {
    parts.push(renderBreakdown(report.breakdown));
  }
  if (report.chart) {
    parts.push(renderChart(report.chart));
  }
  for (const section of report.sections) {
    parts.push('<section>');
    if (section.heading) {
      parts.push(`<h2>${text(section.heading)}</h2>`);
    }
    if (section.table) {
      parts.push(htmlTable(section.table));
    }
    if (section.lines && section.lines.length > 0) {
      parts.push(`<ul>${section.lines.map((l) => `<li>${text(l)}</li>`).join('')}</ul>`);
    }
    if (section.trendCharts && section.trendCharts.length > 0) {
      parts.push(renderTrendCharts(section.trendCharts));
    }
    parts.push('</section>');
  }
  if (report.notes.length > 0) {
    parts.push(`<section><h2>Notes</h2><ul class="notes">${report.notes.map((n) => `<li>${text(n)}</li>`).join('')}</ul></section>`);
  }
  parts.push('</body>');
  parts.push('</html>');
  return `${parts.join('\n')}\n`;
}

function htmlTable(table: Table): string {
  if (table.rows.length === 0) {
    return '<p class="empty">(none)</p>';
  }
  const cls = (c: Column) => (c.type === 'money' || c.type === 'percent' || c.type === 'number' ? ' class="num"' : '');
  const head = `<thead><tr>${table.columns.map((c) => `<th${cls(c)}>${text(c.header)}</th>`).join('')}</tr></thead>`;
  const body = table.rows.map((row, i) => {
    const kind = table.rowKinds?.[i];
    const cells = table.columns.map((c) => `<td${cls(c)}>${text(displayCell(row[c.key], c.type))}</td>`).join('');
    return `<tr${kind ? ` class="${attr(kind)}"` : ''}>${cells}</tr>`;
  }).join('\n');
  return `<table>${head}<tbody>\n${body}\n</tbody></table>`;
}

/** Stacked bars per bucket: positive amounts stack up from zero, negative ones (credits, refunds) down. */
export function renderChart(chart: Chart): string {
  const W = 960;
  const H = 380;
  const left = 80;
  const right = 40;
  const top = 16;
  const bottom = 56;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const n = chart.buckets.length;
  let maxUp = 0;
  let maxDown = 0;
  for (let j = 0; j < n; j++) {
    let up = 0;
    let down = 0;
    for (const s of chart.series) {
      const v = s.values[j] ?? 0;
      if (v > 0) up += v; else down += v;
    }
    maxUp = Math.max(maxUp, up);
    maxDown = Math.min(maxDown, down);
  }
  const [lo, hi, step] = niceScale(maxDown, maxUp);
  const y = (v: number) => top + ((hi - v) / (hi - lo)) * plotH;
  const slot = plotW / Math.max(n, 1);
  const barW = Math.max(1, slot * 0.78);
  const out: string[] = [];
  out.push(`<figure class="chart"><figcaption>${text(chart.title)}</figcaption>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" `
    + `aria-label="${attr(chart.title)}">`);
  // Grid and y-axis labels.
  out.push('<g class="grid">');
  for (let v = lo; v <= hi + step / 2; v += step) {
    const yy = fx(y(v));
    out.push(`<line x1="${left}" x2="${W - right}" y1="${yy}" y2="${yy}"${Math.abs(v) < step / 2 ? ' class="zero"' : ''}/>`);
    out.push(`<text x="${left - 8}" y="${fx(y(v) + 4)}" text-anchor="end">${esc(formatMoney(Math.abs(v) < step / 2 ? 0 : v))}</text>`);
  }
  out.push(`<text x="14" y="${fx(top + plotH / 2)}" transform="rotate(-90 14 ${fx(top + plotH / 2)})" text-anchor="middle">`
    + `${attr(chart.unit)}</text>`);
  out.push('</g>');
  // Bars.
  out.push('<g class="bars">');
  chart.series.forEach((s, i) => {
    const colour = seriesColour(s, i);
    out.push(`<g class="series" data-series="${attr(s.label)}" fill="${colour}">`);
    for (let j = 0; j < n; j++) {
      const v = s.values[j] ?? 0;
      if (v === 0) {
        continue;
      }
      // Position: the sum of the series before this one with the same sign.
      let base = 0;
      for (let k = 0; k < i; k++) {
        const w = chart.series[k].values[j] ?? 0;
        if (Math.sign(w) === Math.sign(v)) base += w;
      }
      const y0 = y(base);
      const height = Math.max(0.5, Math.abs(y(base + v) - y0));
      const rectY = v > 0 ? y0 - height : y0;
      const x = left + j * slot + (slot - barW) / 2;
      out.push(`<rect class="bar" x="${fx(x)}" y="${fx(rectY)}" width="${fx(barW)}" `
        + `height="${fx(height)}"><title>${attr(`${s.label}, ${chart.buckets[j]}: ${formatMoney(s.exactValues?.[j] ?? v)} ${chart.unit}`)}</title></rect>`);
    }
    out.push('</g>');
  });
  out.push('</g>');
  // X-axis labels: at most ~12.
  out.push('<g class="xlabels">');
  const every = Math.max(1, Math.ceil(n / 12));
  for (let j = 0; j < n; j += every) {
    const x = left + j * slot + slot / 2;
    out.push(`<text x="${fx(x)}" y="${H - bottom + 18}" text-anchor="middle">${attr(chart.buckets[j])}</text>`);
  }
  out.push('</g>');
  out.push('</svg>');
  out.push('<ul class="legend">');
  chart.series.forEach((s, i) => {
    const total = s.exactValues ? Decimal.sum(s.exactValues) : s.values.reduce((a, b) => a + b, 0);
    out.push(`<li><span class="swatch" style="background:${seriesColour(s, i)}"></span>${text(s.label)} `
      + `<span class="amount">${esc(formatMoney(total))} ${attr(chart.unit)}</span></li>`);
  });
  out.push('</ul></figure>');
  return out.join('\n');
}

/**
 * Horizontal stacked bars, one per group: each segment (direct cost, each provider's share, spread untagged spend)
 * from zero to the right, negative amounts (credits) to the left; the group's label on the left, its total on the
 * right.
 */
export function renderBreakdown(b: Breakdown): string {
  const W = 960;
  const labelW = 300;
  const totalW = 90;
  const rowH = 26;
  const top = 8;
  const bottom = 28;
  const plotW = W - labelW - totalW;
  const H = top + b.bars.length * rowH + bottom;
  let maxUp = 0;
  let maxDown = 0;
  for (const bar of b.bars) {
    const up = bar.values.filter((v) => v > 0).reduce((x, y) => x + y, 0);
    const down = bar.values.filter((v) => v < 0).reduce((x, y) => x + y, 0);
    maxUp = Math.max(maxUp, up);
    maxDown = Math.min(maxDown, down);
  }
  const [lo, hi, step] = niceScale(maxDown, maxUp);
  const x = (v: number) => labelW + ((v - lo) / (hi - lo)) * plotW;
  const out: string[] = [];
  out.push(`<figure class="chart breakdown"><figcaption>${text(b.title)}</figcaption>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${attr(b.title)}">`);
  out.push('<g class="grid">');
  for (let v = lo; v <= hi + step / 2; v += step) {
    const xx = fx(x(v));
    out.push(`<line x1="${xx}" x2="${xx}" y1="${top}" y2="${H - bottom}"${Math.abs(v) < step / 2 ? ' class="zero"' : ''}/>`);
    out.push(`<text x="${xx}" y="${H - bottom + 16}" text-anchor="middle">${esc(formatMoney(Math.abs(v) < step / 2 ? 0 : v))}</text>`);
  }
  out.push('</g>');
  out.push('<g class="bars">');
  b.bars.forEach((bar, i) => {
    const y = top + i * rowH + 4;
    const h = rowH - 8;
    const total = bar.values.reduce((s, v) => s + v, 0);
    out.push(`<g class="bar-row" data-bar="${attr(bar.label)}">`);
    out.push(`<text class="bar-label" font-size="12" x="${labelW - 8}" y="${fx(y + h / 2 + 4)}" text-anchor="end">${attr(cutLabel(bar.label, 44))}<title>${attr(bar.label)}</title></text>`);
    let up = 0;
    let down = 0;
    bar.values.forEach((v, j) => {
      if (v === 0) {
        return;
      }
      const from = v > 0 ? up : down + v;
      if (v > 0) up += v; else down += v;
      const x0 = x(from);
      const w = Math.max(0.5, Math.abs(x(from + Math.abs(v)) - x0));
      const seg = b.segments[j];
      out.push(`<rect class="segment" data-segment="${attr(seg.label)}" x="${fx(x0)}" y="${fx(y)}" width="${fx(w)}" height="${fx(h)}" `
        + `fill="${segmentColour(seg.kind, j)}"><title>${attr(`${bar.label}: ${seg.label} ${formatMoney(v)} ${b.unit}`)}</title></rect>`);
    });
    out.push(`<text class="bar-total" font-size="12" x="${W - totalW + 8}" y="${fx(y + h / 2 + 4)}">${esc(formatMoney(total))}</text>`);
    out.push('</g>');
  });
  out.push('</g>');
  out.push('</svg>');
  out.push('<ul class="legend">');
  b.segments.forEach((seg, j) => {
    const sum = b.bars.reduce((s, bar) => s + (bar.values[j] ?? 0), 0);
    out.push(`<li><span class="swatch" style="background:${segmentColour(seg.kind, j)}"></span>${text(seg.label)} `
      + `<span class="amount">${esc(formatMoney(sum))} ${attr(b.unit)}</span></li>`);
  });
  out.push('</ul></figure>');
  return out.join('\n');
}

function segmentColour(kind: SegmentKind, i: number): string {
  if (kind === 'direct') return DIRECT_COLOUR;
  if (kind === 'untagged') return UNTAGGED_COLOUR;
  return PROVIDER_PALETTE[(i - 1 + PROVIDER_PALETTE.length) % PROVIDER_PALETTE.length];
}

function cutLabel(s: string, n: number): string {
  const chars = Array.from(s);
  return chars.length > n ? `${chars.slice(0, n - 1).join('').trimEnd()}…` : s;
}

function seriesColour(s: ChartSeries, i: number): string {
  if (s.kind === 'untagged') return UNTAGGED_COLOUR;
  if (s.kind === 'other') return OTHER_COLOUR;
  return PALETTE[i % PALETTE.length];
}

/** A y range that starts and ends on round numbers, with 4-6 steps. */
export function niceScale(min: number, max: number): [number, number, number] {
  if (max <= 0 && min >= 0) {
    return [0, 1, 0.25];
  }
  const span = max - min;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= 6) ?? 10 * mag;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  return [lo === 0 ? 0 : lo, hi === lo ? lo + step : hi, step];
}

/**
 * Element content: escaped, bidi controls shown as `<U+202E>`, and a break opportunity (`<wbr>`) every 24 characters
 * of a run without spaces, so that a very long value wraps inside its column instead of pushing the table off the page.
 */
function text(value: string): string {
  return showBidi(String(value)).split(/(\s+)/).map((part) => {
    if (part.length <= LONG_RUN) {
      return esc(part);
    }
    const chars = Array.from(part);
    const pieces: string[] = [];
    for (let i = 0; i < chars.length; i += WBR_EVERY) {
      pieces.push(esc(chars.slice(i, i + WBR_EVERY).join('')));
    }
    return pieces.join('<wbr>');
  }).join('');
}

/** Runs without spaces longer than this get break opportunities, every `WBR_EVERY` characters. */
const LONG_RUN = 40;
const WBR_EVERY = 24;


const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px auto; max-width: 1180px; padding: 0 16px;
  color: #1f2328; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 24px 0 8px; }
ul.summary { padding-left: 18px; margin: 8px 0 16px; }
figure.chart { margin: 8px 0 16px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg { max-width: 100%; height: auto; background: #fff; }
.grid line { stroke: #e4e4e4; stroke-width: 1; }
.grid line.zero { stroke: #888; }
.grid text, .xlabels text { font-size: 11px; fill: #555; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 6px 0 0; }
ul.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; }
.amount { color: #666; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border-bottom: 1px solid #e1e4e8; padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.untagged td { color: #6a4a00; background: #fff8e5; }
tr.not-declared td { color: #8a1f1f; background: #fdf0f0; }
p.empty { color: #666; }
ul.notes { color: #555; }
`;
