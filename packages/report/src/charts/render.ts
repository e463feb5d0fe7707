/**
 * Observable Plot rendered to standalone SVG files under jsdom. Plot wraps a chart in an HTML
 * <figure> as soon as it has a title or a legend; we keep the chart a pure <svg> and draw the
 * title, legend and notes ourselves, so every panel is one self-contained, accessible SVG.
 * The document is passed to Plot explicitly: nothing is installed on globalThis.
 */
import * as Plot from '@observablehq/plot';
import { JSDOM } from 'jsdom';

export const FONT = 'DejaVu Sans';
const SVG_NS = 'http://www.w3.org/2000/svg';
const TITLE_SIZE = 13;
const TEXT_SIZE = 10;
const LINE = 14;
/** DejaVu Sans averages about 0.6 em per character: enough to wrap notes and lay out swatches. */
const CHAR_W = 0.6 * TEXT_SIZE;

export interface RenderOptions {
  /** A DOM document to build in; a fresh jsdom one by default. */
  readonly document?: Document;
}

/** The options Plot takes, with title, subtitle and caption as plain text. */
export type PlotSpec = Omit<Plot.PlotOptions, 'title' | 'subtitle' | 'caption' | 'document'> & {
  readonly title: string;
  readonly subtitle?: string;
  /** Notes under the chart (sample sizes, intervals, caveats); `\n` separates lines. */
  readonly caption?: string;
};

/** A fresh document; one per figure is enough (Plot leaves nothing behind in it). */
export function newDocument(): Document {
  return new JSDOM('<!DOCTYPE html><html><body></body></html>').window.document;
}

/** Split text into lines of at most `max` characters, at spaces. */
export function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > max) {
        out.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    out.push(line);
  }
  return out;
}

function el(doc: Document, name: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement {
  const e = doc.createElementNS(SVG_NS, name) as SVGElement;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Text lines starting at baseline `y`; returns the height used. */
function lines(doc: Document, parent: Element, texts: readonly string[], y: number, attrs: Record<string, string | number> = {}): number {
  texts.forEach((t, i) => {
    parent.appendChild(el(doc, 'text', { x: 0, y: y + i * LINE, 'font-size': TEXT_SIZE, ...attrs }, t));
  });
  return texts.length * LINE;
}

/** A categorical legend as SVG swatches (Plot's own are HTML), wrapped to `width`. */
function swatches(doc: Document, scale: Plot.Scale, width: number, label: string | undefined): SVGElement {
  const g = el(doc, 'g', { 'aria-label': 'color legend' });
  let x = 0;
  let y = 0;
  if (label) {
    g.appendChild(el(doc, 'text', { x: 0, y: 10, 'font-size': TEXT_SIZE, 'font-weight': 'bold' }, label));
    x = label.length * CHAR_W + 12;
  }
  for (const v of (scale.domain ?? []) as unknown[]) {
    const text = String(v);
    const w = 18 + text.length * CHAR_W + 12;
    if (x > 0 && x + w > width) {
      x = 0;
      y += LINE + 2;
    }
    g.appendChild(el(doc, 'rect', { x, y: y + 1, width: 12, height: 12, fill: String(scale.apply(v)) }));
    g.appendChild(el(doc, 'text', { x: x + 16, y: y + 11, 'font-size': TEXT_SIZE }, text));
    x += w;
  }
  g.setAttribute('data-height', String(y + LINE + 2));
  return g;
}

const CONTINUOUS = new Set(['linear', 'log', 'pow', 'sqrt', 'symlog', 'diverging', 'diverging-log', 'diverging-pow', 'diverging-sqrt', 'diverging-symlog', 'sequential', 'cyclical', 'utc', 'time']);

/**
 * Render a Plot specification to a standalone SVG document string: SVG namespace, width and
 * height, DejaVu Sans, a <title> (and <desc> for the subtitle and notes) for screen readers,
 * the title drawn above and the notes below the chart.
 */
export function renderPlot(spec: PlotSpec, options: RenderOptions = {}): string {
  const doc = options.document ?? newDocument();
  const { title, subtitle, caption, color, style, ...rest } = spec;
  const legendWanted = typeof color === 'object' && color !== null && Boolean(color.legend);
  const chart = Plot.plot({
    ...rest,
    ...(color === undefined ? {} : { color: typeof color === 'object' && color !== null ? { ...color, legend: false } : color }),
    document: doc,
    style: { fontFamily: FONT, ...(typeof style === 'object' && style !== null ? style : {}) },
  });
  if (chart.tagName.toLowerCase() !== 'svg') throw new Error(`renderPlot: Plot made a <${chart.tagName}>, not an <svg>; drop the options that need HTML`);
  const width = Number(chart.getAttribute('width'));
  const chartHeight = Number(chart.getAttribute('height'));
  const maxChars = Math.floor(width / CHAR_W);

  const svg = el(doc, 'svg', { width, role: 'img', 'font-family': FONT, 'font-size': TEXT_SIZE });
  svg.appendChild(el(doc, 'title', {}, title));
  const described = [subtitle, caption].filter((x): x is string => x !== undefined && x !== '').join('\n');
  if (described !== '') svg.appendChild(el(doc, 'desc', {}, described));
  svg.appendChild(el(doc, 'rect', { width: '100%', height: '100%', fill: 'white' }));

  let y = 0;
  const head = el(doc, 'g', { 'aria-hidden': 'true' });
  const titleLines = wrap(title, Math.floor(width / (0.62 * TITLE_SIZE)));
  titleLines.forEach((t, i) => {
    head.appendChild(el(doc, 'text', { x: 0, y: TITLE_SIZE + i * (TITLE_SIZE + 4), 'font-size': TITLE_SIZE, 'font-weight': 'bold' }, t));
  });
  y += titleLines.length * (TITLE_SIZE + 4) + 2;
  if (subtitle) y += lines(doc, head, wrap(subtitle, maxChars), y + TEXT_SIZE, { fill: '#444' });
  svg.appendChild(head);

  if (legendWanted) {
    const scale = chart.scale('color');
    if (scale !== undefined) {
      y += 4;
      if (scale.type === 'ordinal' || scale.type === 'categorical') {
        const label = typeof color === 'object' && color !== null && typeof color.label === 'string' ? color.label : undefined;
        const g = swatches(doc, scale, width, label);
        g.setAttribute('transform', `translate(0,${y})`);
        y += Number(g.getAttribute('data-height'));
        g.removeAttribute('data-height');
        svg.appendChild(g);
      } else if (typeof scale.type === 'string' && CONTINUOUS.has(scale.type)) {
        throw new Error(`renderPlot: a continuous (${scale.type}) colour legend needs canvas; use a quantize or threshold colour scale`);
      } else {
        // Plot's legend takes the document like plot() does; its typings omit it.
        // The materialized scale drops the label and tick format: pass them on.
        const { label, tickFormat } = typeof color === 'object' && color !== null ? color : {};
        const legendColor = { ...scale, ...(label === undefined ? {} : { label }), ...(tickFormat === undefined ? {} : { tickFormat }) };
        const ramp = Plot.legend({ color: legendColor, document: doc, style: { fontFamily: FONT } } as Plot.LegendScales);
        ramp.setAttribute('x', '0');
        ramp.setAttribute('y', String(y));
        ramp.setAttribute('font-family', FONT);
        ramp.setAttribute('aria-label', 'color legend');
        y += Number(ramp.getAttribute('height'));
        svg.appendChild(ramp);
      }
    }
  }

  chart.setAttribute('x', '0');
  chart.setAttribute('y', String(y));
  chart.setAttribute('font-family', FONT);
  svg.appendChild(chart);
  y += chartHeight;

  if (caption) {
    const notes = el(doc, 'g', { 'aria-hidden': 'true', fill: '#444' });
    y += lines(doc, notes, wrap(caption, maxChars), y + TEXT_SIZE + 4) + 6;
    svg.appendChild(notes);
  }
  svg.setAttribute('height', String(Math.ceil(y)));
  svg.setAttribute('viewBox', `0 0 ${width} ${Math.ceil(y)}`);
  // The serializer declares the SVG namespace itself (the element was created in it).
  const XMLSerializer = doc.defaultView?.XMLSerializer;
  if (XMLSerializer === undefined) throw new Error('renderPlot: the document has no window (pass a jsdom document)');
  return new XMLSerializer().serializeToString(svg);
}

/**
 * A panel that has nothing to draw says why, as a small SVG of its own, so a figure keeps its
 * shape and a reader sees the reason instead of a gap.
 */
export function noteSvg(title: string, note: string, options: RenderOptions & { width?: number } = {}): string {
  const doc = options.document ?? newDocument();
  const width = options.width ?? 640;
  const svg = el(doc, 'svg', { width, role: 'img', 'font-family': FONT, 'font-size': TEXT_SIZE });
  svg.appendChild(el(doc, 'title', {}, title));
  svg.appendChild(el(doc, 'desc', {}, note));
  svg.appendChild(el(doc, 'rect', { width: '100%', height: '100%', fill: 'white' }));
  svg.appendChild(el(doc, 'text', { x: 0, y: TITLE_SIZE, 'font-size': TITLE_SIZE, 'font-weight': 'bold' }, title));
  const g = el(doc, 'g', { fill: '#444' });
  const h = lines(doc, g, wrap(note, Math.floor(width / CHAR_W)), TITLE_SIZE + 6 + TEXT_SIZE);
  svg.appendChild(g);
  const height = TITLE_SIZE + 6 + h + 6;
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  return new (doc.defaultView!.XMLSerializer)().serializeToString(svg);
}
