import { num, rateWithInterval, valueWithInterval } from './format.js';
import { html, raw, type Safe } from './html.js';
import type { Figure, Row } from './model.js';

export interface Cell {
  readonly content: Safe | string;
  /** Numeric sort key (`null`: sorts last); text cells sort on their text. */
  readonly sort?: number | null | undefined;
  readonly numeric?: boolean;
}

export interface Column<T> {
  readonly head: string;
  /** A longer description, shown as the header's tooltip. */
  readonly title?: string;
  readonly cell: (row: T) => Cell | Safe | string;
}

/** A table; `sortable` adds the progressive sorting (the markup alone is complete). */
export function table<T>(columns: readonly Column<T>[], rows: readonly T[], { sortable = true, caption }: { sortable?: boolean; caption?: string } = {}): Safe {
  const cells = (row: T) =>
    columns.map((c) => {
      const v = c.cell(row);
      const cell: Cell = typeof v === 'string' || !('content' in v) ? { content: v } : v;
      const sort = cell.sort === undefined ? '' : html` data-sort="${cell.sort === null || !Number.isFinite(cell.sort) ? '' : String(cell.sort)}"`;
      return html`<td${sort}${cell.numeric === true || cell.sort !== undefined ? raw(' class="num"') : ''}>${cell.content}</td>`;
    });
  return html`<div class="table-wrap"><table${sortable ? raw(' data-sortable') : ''}>${caption === undefined ? '' : html`<caption>${caption}</caption>`}
<thead><tr>${columns.map((c) => html`<th scope="col"${c.title === undefined ? '' : html` title="${c.title}"`}>${c.head}</th>`)}</tr></thead>
<tbody>
${rows.map((r) => html`<tr>${cells(r)}</tr>\n`)}</tbody></table></div>`;
}

/** A rate column from results.csv: `rate [lo–hi]`, sorted on the rate. */
export function rateCell(row: Row, column: string): Cell {
  return { content: rateWithInterval(row[column], row[`${column}_lo`], row[`${column}_hi`]), sort: num(row[column]) ?? null };
}

/** A metric with a bootstrap interval and, for percentiles, a small-sample mark. */
export function metricCell(row: Row, column: string, digits = 2): Cell {
  const flag = row[`${column}_flag`];
  const text = valueWithInterval(row[column], row[`${column}_lo`], row[`${column}_hi`], digits);
  return { content: typeof flag === 'string' && flag !== '' && text !== '' ? html`${text}<abbr title="${flag}">*</abbr>` : text, sort: num(row[column]) ?? null };
}

export function countCell(value: unknown): Cell {
  const n = num(value);
  return { content: n === undefined ? '' : String(n), sort: n ?? null };
}

export function link(href: string, text: string | Safe): Safe {
  return html`<a href="${href}">${text}</a>`;
}

/**
 * Inline charts: each SVG from the renderer inside a labelled figure container (the caption is
 * for screen readers: the SVG draws its own title). The SVG is the
 * renderer's own markup (it escapes its text), so it is inserted as is, with any script removed.
 */
export function figures(list: readonly Figure[], prefix = 'fig'): Safe {
  if (list.length === 0) return html`<p class="muted">No charts for this result.</p>`;
  const charts = list.filter((f) => f.note === undefined);
  const notes = list.filter((f) => f.note !== undefined);
  return html`${charts.length === 0 ? '' : html`<div class="panels">${charts.map(
    (f) => html`<figure class="chart" data-chart="${f.id}" aria-labelledby="${prefix}-${f.id}"><figcaption class="sr-only" id="${prefix}-${f.id}">${f.title}</figcaption>${raw(sanitizeSvg(f.svg))}</figure>`,
  )}</div>`}${notes.length === 0 ? '' : html`<ul class="chart-notes">${notes.map((f) => html`<li><strong>${f.title}</strong>: ${f.note}</li>`)}</ul>`}`;
}

/**
 * Make chart SVG safe and valid to inline: no scripts, event handlers or javascript: links (a
 * chart never needs them), and Observable Plot's `aria-label` on plain `<g>` mark groups — which
 * ARIA prohibits without a role (axe-core: aria-prohibited-attr) — kept as `data-mark`. The
 * chart's own title and description (`<title>`, `<desc>`, the root's role) are left as they are.
 */
export function sanitizeSvg(svg: string): string {
  return svg
    .replace(/<script\b[\s\S]*?<\/script\s*>/gi, '')
    .replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '')
    .replace(/(href\s*=\s*["'])\s*javascript:[^"']*/gi, '$1#')
    .replace(/<g\b(?![^>]*\srole=)([^>]*?)\saria-label=/g, '<g$1 data-mark=');
}

/** `isolation_valid` / booleans as the CSV writes them. */
export function truthy(value: unknown): boolean | undefined {
  if (value === true || value === 'true' || value === 1 || value === '1') return true;
  if (value === false || value === 'false' || value === 0 || value === '0') return false;
  return undefined;
}

export function verdictCell(row: Row): Cell {
  const valid = truthy(row.isolation_valid);
  const anomalies = typeof row.anomaly_types === 'string' ? row.anomaly_types : '';
  if (valid === true) return { content: html`<span class="good">valid</span>` };
  if (valid === false) return { content: html`<span class="bad">anomalies</span>${anomalies === '' ? '' : html` ${anomalies}`}` };
  return { content: html`<span class="muted">${String(row.isolation_valid ?? 'unknown')}</span>` };
}
