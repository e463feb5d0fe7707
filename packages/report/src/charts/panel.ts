/** A figure's panels: each one a standalone SVG. */
import { newDocument, noteSvg, type PlotSpec, type RenderOptions, renderPlot } from './render.js';

export interface Panel {
  /** Stable within a figure (`failure-vs-rate`, …): for anchors and file names. */
  readonly id: string;
  readonly title: string;
  readonly svg: string;
  /** Set when the data cannot support the chart: `svg` then only states this reason. */
  readonly note?: string;
}

/** Builds a figure's panels on one shared document. */
export class PanelSet {
  readonly panels: Panel[] = [];
  readonly #options: { document: Document };

  constructor(options: RenderOptions = {}) {
    this.#options = { document: options.document ?? newDocument() };
  }

  plot(id: string, spec: PlotSpec): void {
    this.panels.push({ id, title: spec.title, svg: renderPlot(spec, this.#options) });
  }

  note(id: string, title: string, note: string): void {
    this.panels.push({ id, title, svg: noteSvg(title, note, this.#options), note });
  }
}
