/**
 * The summary at the top of the readiness document, built from the same structure as the
 * sections below it: one item per topic, each with the links behind it. Topics without data are
 * left out (the renderers point to "What is missing" for them).
 */
import { type Proportion, pooled } from '../stats.js';
import type { Cell } from '../types.js';
import type { Readiness } from './readiness.js';
import { join, type RunLink } from './readiness-evidence.js';
import { hazardProfiles } from './readiness-hazards.js';
import { cellText, percent, rateText, settingText } from './readiness-format.js';

export type SummaryTopic = 'envelope' | 'boundary' | 'retry' | 'hazards' | 'isolation' | 'research';

export interface SummaryItem {
  readonly topic: SummaryTopic;
  /** The section it summarises (an anchor id shared by the Markdown and the page). */
  readonly section: string;
  readonly text: string;
  /** Result files behind it, results-relative. */
  readonly links: readonly { readonly label: string; readonly file: string }[];
  /** Runs behind it, when the claim is about runs. */
  readonly runs: readonly RunLink[];
}

/** Topics in the order they are summarised, with their sections' titles. */
export const SUMMARY_TOPICS: readonly { readonly topic: SummaryTopic; readonly label: string }[] = [
  { topic: 'envelope', label: 'Envelope' },
  { topic: 'boundary', label: 'Boundary' },
  { topic: 'retry', label: 'Retry' },
  { topic: 'hazards', label: 'Hazards' },
  { topic: 'isolation', label: 'Isolation' },
  { topic: 'research', label: 'Research' },
];

const SHOWN = 3;
const more = (n: number) => (n > SHOWN ? ` (+${n - SHOWN} more)` : '');
const range = (xs: readonly number[]) => {
  if (xs.length === 0) return null;
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
};

export function summaryItems(doc: Omit<Readiness, 'summary'>): SummaryItem[] {
  const items: SummaryItem[] = [];
  const e = doc.envelope;
  if (e.sweeps.length > 0) {
    const sum = (f: (c: (typeof e.sweeps)[number]['counts']) => number) => e.sweeps.reduce((a, s) => a + f(s.counts), 0);
    const safe = sum((c) => c.safe);
    const maybe = sum((c) => c.maybe);
    const over = sum((c) => c.over);
    items.push({
      topic: 'envelope',
      section: 'envelope',
      text: `${safe} safe, ${maybe} maybe, ${over} over of ${safe + maybe + over} configurations (transaction failure under ${percent(doc.threshold)}, judged by the 95 % interval) in ${e.sweeps.length} sweep${e.sweeps.length === 1 ? '' : 's'}.`,
      links: e.sweeps.map((s) => ({ label: join(s.dir, 'results.csv'), file: s.file })),
      runs: [],
    });
  }
  if (e.boundaries.length > 0) {
    const byWriters = new Map<string, (typeof e.boundaries)[number][]>();
    for (const b of e.boundaries) {
      const w = cellText(b.key.num_writers as Cell | undefined);
      byWriters.set(w, [...(byWriters.get(w) ?? []), b]);
    }
    const parts = [...byWriters.entries()]
      .sort(([a], [b]) => (Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0)))
      .map(([w, cells]) => {
        const safe = range(cells.flatMap((c) => (c.below === null ? [] : [c.below.rate])));
        const over = range(cells.flatMap((c) => (c.above === null ? [] : [c.above.rate])));
        return `writers=${w}: safe up to ${safe ?? 'none decided'}, over from ${over ?? 'none decided'} txn/s each (${cells.length} cell${cells.length === 1 ? '' : 's'})`;
      });
    items.push({
      topic: 'boundary',
      section: 'envelope',
      text: `${parts.join('; ')}.`,
      links: [...new Set(e.boundaries.map((b) => b.file))].map((f) => ({ label: f, file: f })),
      runs: [],
    });
  }
  for (const r of doc.retry) {
    const chosen = r.recommended.length > 0 ? r.recommended : r.candidates;
    const list = chosen.slice(0, SHOWN).map((s) => settingText(s.setting)).join('; ');
    const text =
      r.recommended.length > 0
        ? `recommended ${list}${more(chosen.length)}: best or indistinguishable on per-transaction success and on every other metric, each judged against the candidates' best.`
        : `no setting is best or indistinguishable on every metric (they trade off); highest per-transaction success: ${list}${more(chosen.length)}.`;
    items.push({ topic: 'retry', section: 'retry', text: `${r.name}: ${text}`, links: [{ label: 'results.csv', file: r.file }], runs: [] });
  }
  const hz = doc.hazards.hazards;
  if (hz.length > 0) {
    const profiles = hazardProfiles(hz);
    // One count per profile: under a fixed profile a hazard that does not reproduce is the goal.
    const counts = profiles.map((p) => {
      const of = hz.filter((h) => h.profile === p);
      const reproduced = of.filter((h) => h.reproduced.k > 0);
      const named = reproduced.length > 0 ? ` (${reproduced.map((h) => h.hazard).join(', ')})` : '';
      return `${profiles.length > 1 ? `${p}: ` : ''}${reproduced.length} of ${of.length} hazards reproduced in at least one seed${named}`;
    });
    items.push({
      topic: 'hazards',
      section: 'hazards',
      text: `${counts.join('; ')}.`,
      links: doc.hazards.results.map((d) => ({ label: join(d, 'hazards.csv'), file: join(d, 'hazards.csv') })),
      runs: [],
    });
  }
  const verified = doc.isolation.reduce((a, g) => a + g.verified, 0);
  const total = doc.isolation.reduce((a, g) => a + g.runs, 0);
  if (total > 0) {
    const expected = new Set(['hazards', 'head-cache']);
    const held = doc.isolation.filter((g) => !expected.has(g.group));
    const outside: Proportion = pooled(held.map((g) => ({ k: g.anomalous.k, n: g.anomalous.n })));
    const bad = held.filter((g) => g.anomalous.k > 0);
    const runs = (bad.length > 0 ? bad : held).flatMap((g) => g.evidence);
    const exp = doc.isolation.filter((g) => expected.has(g.group)).map((g) => `${g.group === 'hazards' ? 'hazard reproductions' : 'HEAD-cache runs'} ${g.anomalous.k}/${g.anomalous.n}`);
    items.push({
      topic: 'isolation',
      section: 'isolation',
      text:
        `${verified} of ${total} runs verified; ${held.length === 0 ? 'no runs outside hazard reproductions and HEAD-cache runs' : `runs with anomalies outside hazard reproductions and HEAD-cache runs: ${rateText(outside)}`}` +
        `${exp.length > 0 ? `; where anomalies are expected: ${exp.join(', ')}` : ''}.`,
      links: [],
      runs: runs.length > 0 ? runs : doc.isolation.flatMap((g) => g.evidence),
    });
  }
  if (doc.research.length > 0) {
    items.push({
      topic: 'research',
      section: 'research',
      text: `${doc.research.length} research sweep${doc.research.length === 1 ? '' : 's'} (${doc.research.map((r) => r.name).join(', ')}) vary or fix a research knob; they are kept out of the envelope and listed with their questions.`,
      links: doc.research.map((r) => ({ label: join(r.dir, 'results.csv'), file: r.file })),
      runs: [],
    });
  }
  return items;
}
