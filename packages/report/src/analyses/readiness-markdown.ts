/**
 * The readiness document as Markdown. Links are relative to where the document is written
 * (`resultsHref`: from its directory to the results root), so it works from a checkout or a copy
 * that keeps the two side by side. Every claim line — table row or bullet — carries a link.
 */

import type { Cell } from '../types.js';
import type { Readiness } from './readiness.js';
import type { EnvelopeCell, EnvelopeConfig, EnvelopeSweep } from './readiness-envelope.js';
import type { Evidence, RunLink } from './readiness-evidence.js';
import { hazardProfiles } from './readiness-hazards.js';
import { boundaryEndText, cellText, estimateText, FIELD_LABELS, percent, rateText, settingText } from './readiness-format.js';
import { RESEARCH_KNOBS } from './readiness-research.js';
import type { RetrySweep, Standing } from './readiness-retry.js';
import { SUMMARY_TOPICS } from './readiness-summary.js';

/** Runs listed per claim; the rest are named in the linked summary.json or CSV. */
export const RUNS_SHOWN = 3;

/** For a sweep.json without a description (the runner does not copy it from the sweep file). */
export const NO_QUESTION = 'not recorded in its sweep.json; see docs/research.md';

/** The isolation groups' row names. */
export const ISOLATION_NAMES: Readonly<Record<string, string>> = {
  workload: 'workload sweeps',
  research: 'research sweeps (no HEAD cache)',
  'head-cache': 'HEAD-cache runs (head_cache_ms > 0; stale reads expected)',
  boundary: 'boundary probes',
  chaos: 'chaos scenarios',
  hazards: 'hazard reproductions',
};

export interface MarkdownOptions {
  /** Relative path from the document's directory to the results root ('' when the same). */
  readonly resultsHref: string;
}

const RETRY_TITLE = '2. Retry settings';
const HAZARDS_TITLE = '4. Hazards observed';
const ISOLATION_TITLE = '5. Isolation';
const RESEARCH_TITLE = '6. Research sweeps (kept out of the envelope)';

/** A heading's anchor as GitHub (and most Markdown renderers) make it. */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** `|` and newlines would break a table cell. */
const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function renderReadinessMarkdown(doc: Readiness, { resultsHref }: MarkdownOptions): string {
  const url = (file: string) =>
    [resultsHref, file]
      .filter((p) => p !== '')
      .join('/')
      .split('/')
      .map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s)))
      .join('/');
  const a = (text: string, file: string) => `[${esc(text).replace(/[[\]]/g, '\\$&')}](${url(file)})`;
  const runs = (list: readonly RunLink[]) =>
    list.length === 0 ? '' : `runs ${list.slice(0, RUNS_SHOWN).map((r) => a(r.id, r.file)).join(', ')}${list.length > RUNS_SHOWN ? ` +${list.length - RUNS_SHOWN} more` : ''}`;
  const ev = (e: Evidence) => {
    const r = runs(e.runs);
    return `${a(e.label, e.file)}${r === '' ? '' : ` (${r})`}`;
  };
  const evs = (list: readonly Evidence[]) => list.map(ev).join('; ');
  const pctT = percent(doc.threshold);
  const envelopeTitle = `1. Safe operating envelope (transaction failure rate under ${pctT})`;
  const out: string[] = [];
  const p = doc.provenance;

  out.push(`# Production readiness: ${titleOf(doc)} on object storage`, '');
  out.push(
    `Written by \`manifest-lab recommend\` from ${code(p.root)}: ${p.runs} runs (built code ${p.codeVersions.map(code).join(', ') || 'unknown'}; backend ${p.backends.join(', ') || 'unknown'}; ${p.time.join(', ') || 'unknown'} time). ` +
      'Every number is read from those results and every claim links to the runs behind it. Rates are k/n with a 95 % Wilson interval; ' +
      'pooling treats transactions as independent trials, so read intervals as a lower bound on the uncertainty. ' +
      `"Safe" means the whole interval of the transaction failure rate lies under ${pctT}.`,
    '',
  );
  if (p.skipped.length > 0) for (const s of p.skipped) out.push(`- Not used: ${code(s.dir)} — ${s.reason}.`);
  if (p.skipped.length > 0) out.push('');

  // Summary: the same structure as the sections, one line per topic with its links.
  out.push('## Summary', '');
  const titles: Record<string, string> = {
    envelope: envelopeTitle,
    retry: RETRY_TITLE,
    hazards: HAZARDS_TITLE,
    isolation: ISOLATION_TITLE,
    research: RESEARCH_TITLE,
  };
  const anchors: Record<string, string> = Object.fromEntries(Object.entries(titles).map(([k, t]) => [k, `#${slug(t)}`]));
  for (const item of doc.summary) {
    const label = SUMMARY_TOPICS.find((t) => t.topic === item.topic)?.label ?? item.topic;
    const links = [...item.links.map((l) => a(l.label, l.file)), runs(item.runs)].filter((x) => x !== '').join('; ');
    out.push(`- **${label}** ([§](${anchors[item.section] ?? '#summary'})): ${esc(item.text)} ${links}`);
  }
  const absent = SUMMARY_TOPICS.filter((t) => !doc.summary.some((i) => i.topic === t.topic) && t.topic !== 'research').map((t) => t.label.toLowerCase());
  if (absent.length > 0) out.push('', `No data for: ${absent.join(', ')} — see [What is missing](#7-what-is-missing).`);
  out.push('');

  // 1. Envelope
  out.push(`## ${envelopeTitle}`, '');
  if (doc.envelope.sweeps.length === 0 && doc.envelope.boundaries.length === 0) out.push('No data: see [What is missing](#7-what-is-missing).', '');
  for (const s of doc.envelope.sweeps) out.push(...envelopeSweep(s));
  if (doc.envelope.boundaries.length > 0) {
    out.push('### Boundary: the writer rate at which each cell crosses the threshold', '');
    out.push(
      'Each end is a probed rate whose interval lies wholly on one side of the threshold (`manifest-lab boundary`; the interval is widened for the probe\'s repeated looks, so each verdict holds at 95 % over all of them); the crossing lies between them. ' +
        '"Near" is a probe between the ends whose interval still holds the threshold when its replica budget ran out: the crossing is statistically indistinguishable from it. ' +
        '"Achieved" under 90 % means the writers could not keep up with the offered rate: there the failure rate is capped by throughput.',
      '',
    );
    const keys = Object.keys(doc.envelope.boundaries[0]?.key ?? {});
    out.push(`| cell | ${keys.map((k) => FIELD_LABELS[k] ?? k).join(' | ')} | status | safe up to (rate: failure) | near (rate: failure) | over from (rate: failure) | probes / runs | evidence |`);
    out.push(`|${' --- |'.repeat(keys.length + 7)}`);
    for (const b of doc.envelope.boundaries) {
      const evidence = [a('boundary.csv', b.file), ...[b.below, b.near, b.above].flatMap((e) => (e === null ? [] : [evs(e.evidence)]))].join('; ');
      out.push(
        `| ${esc(b.cell)} | ${keys.map((k) => cellText(b.key[k])).join(' | ')} | ${b.status} | ${boundaryEndText(b.below)} | ${boundaryEndText(b.near)} | ${boundaryEndText(b.above)} | ${b.probes} / ${b.runs} | ${evidence} |`,
      );
    }
    out.push('');
  }

  function envelopeSweep(s: EnvelopeSweep): string[] {
    const lines: string[] = [`### ${esc(s.name)} (${code(s.dir || '.')})`, ''];
    const total = s.counts.safe + s.counts.maybe + s.counts.over;
    lines.push(
      `- ${s.counts.safe} of ${total} configurations are safe, ${s.counts.maybe} maybe (point estimate under ${pctT}, interval reaching it: more samples would tell), ${s.counts.over} over (point estimate at or above)${s.counts.unrated > 0 ? `; ${s.counts.unrated} had no transactions` : ''}. ${a('results.csv', s.file)}`,
    );
    lines.push(`- Holds only under: ${settingText(s.conditions)}. ${a('results.csv', s.file)}`, '');
    const keyFields = Object.keys(s.cells[0]?.key ?? {}).filter((f) => s.axes.includes(f));
    if (s.axes.includes('writer_rate') && s.cells.length > 0) {
      lines.push('Per cell, the highest tested writer rate that is safe together with every lower tested rate, and the lowest that is over:', '');
      lines.push(`| ${keyFields.map((k) => FIELD_LABELS[k] ?? k).join(' | ')}${keyFields.length > 0 ? ' | ' : ''}safe up to (rate: failure) | committed write TPS there [CI] | over from (rate: failure) | evidence |`);
      lines.push(`|${' --- |'.repeat(keyFields.length + 4)}`);
      for (const c of s.cells) lines.push(cellRow(c, keyFields));
      lines.push('');
    }
    lines.push('Every configuration:', '');
    const fields = Object.keys(s.configs[0]?.setting ?? {}).filter((f) => s.axes.includes(f));
    lines.push(`| ${fields.map((k) => FIELD_LABELS[k] ?? k).join(' | ')}${fields.length > 0 ? ' | ' : ''}transaction failure [95 % CI] (failed/txns) | verdict | write TPS [CI] | replicas | evidence |`);
    lines.push(`|${' --- |'.repeat(fields.length + 5)}`);
    for (const c of s.configs) {
      const tps = estimateText({ ...c.writeTps, n: c.replicas }, 'txn/s');
      lines.push(`| ${fields.map((f) => cellText(c.setting[f])).join(' | ')}${fields.length > 0 ? ' | ' : ''}${rateText(c.failure)} | ${c.verdict} | ${tps} | ${c.replicas} | ${ev(c.evidence)} |`);
    }
    lines.push('');
    return lines;
  }

  function cellRow(c: EnvelopeCell, keyFields: readonly string[]): string {
    const at = (x: EnvelopeConfig | null) => (x === null ? '—' : `${cellText(x.setting.writer_rate)}${x === c.configs[c.configs.length - 1] ? ' (highest tested)' : ''}: ${rateText(x.failure)}`);
    const tps = c.maxSafe === null ? '—' : estimateText({ ...c.maxSafe.writeTps, n: c.maxSafe.replicas }, 'txn/s');
    const evidence = [c.maxSafe, c.minOver].flatMap((x) => (x === null ? [] : [ev(x.evidence)])).join('; ') || ev(c.configs[0]!.evidence);
    const safe = c.maxSafe === null ? `none (lowest tested ${cellText(c.configs[0]?.setting.writer_rate)} is ${c.configs[0]?.verdict})` : at(c.maxSafe);
    return `| ${keyFields.map((f) => cellText(c.key[f])).join(' | ')}${keyFields.length > 0 ? ' | ' : ''}${safe} | ${tps} | ${at(c.minOver)} | ${evidence} |`;
  }

  // 2. Retry
  out.push(`## ${RETRY_TITLE}`, '');
  if (doc.retry.length === 0) out.push('No data: see [What is missing](#7-what-is-missing).', '');
  for (const r of doc.retry) out.push(...retrySweep(r));

  function retrySweep(r: RetrySweep): string[] {
    const lines: string[] = [`### ${esc(r.name)} (${code(r.dir || '.')})`, ''];
    lines.push(`- Measured under: ${settingText(r.conditions)}. ${a('results.csv', r.file)}`);
    const success = r.metrics[0];
    const list = (xs: readonly { setting: Readonly<Record<string, Cell>>; evidence: Evidence }[]) => xs.map((s) => `${settingText(s.setting)} — ${ev(s.evidence)}`).join('; ');
    lines.push(`- Highest per-transaction success (best, or interval overlapping the best's): ${list(r.candidates)}.`);
    if (r.recommended.length > 0 && r.recommended.length < r.candidates.length) {
      lines.push(`- Of those, best or indistinguishable from their best on every other metric (each metric judged on its own): ${list(r.recommended)}.`);
    }
    if (r.recommended.length === 0 && r.candidates.length > 1) {
      lines.push(`- None of those is best or indistinguishable from their best on every other metric (each judged on its own): they trade off; choose by the metric that matters most in the table below. ${a('results.csv', r.file)}`);
    }
    for (const m of r.metrics) {
      const best = m.scores.find((s) => s.standing === 'best');
      const tied = m.scores.filter((s) => s.standing === 'tied').length;
      if (best !== undefined) {
        lines.push(`- Best ${m.label}: ${settingText(best.setting)} at ${estimateText(best.estimate, m.unit)} (${m.basis}); ${tied} more indistinguishable. ${ev(best.evidence)}`);
      }
    }
    for (const x of r.absent) lines.push(`- Not measured: ${x.metric} — ${x.reason}. ${a('results.csv', r.file)}`);
    lines.push('', 'Legend: ★ best (by its conservative interval end), = indistinguishable from the best, ✗ worse, ? no interval to compare.', '');
    const settingFields = r.axes;
    lines.push(`| ${settingFields.join(' | ')} | ${r.metrics.map((m) => `${m.label} (${m.better} is better)`).join(' | ')} | evidence |`);
    lines.push(`|${' --- |'.repeat(settingFields.length + r.metrics.length + 1)}`);
    const mark: Record<Standing, string> = { best: '★', tied: '=', worse: '✗', unknown: '?' };
    for (const s of success?.scores ?? []) {
      const cells = r.metrics.map((m) => {
        const x = m.scores.find((y) => y.id === s.id);
        return x === undefined ? '—' : `${mark[x.standing]} ${estimateText(x.estimate, m.unit)}`;
      });
      lines.push(`| ${settingFields.map((f) => cellText(s.setting[f])).join(' | ')} | ${cells.join(' | ')} | ${ev(s.evidence)} |`);
    }
    lines.push('');
    return lines;
  }

  // 3. Compaction
  out.push('## 3. Compaction settings', '');
  const cp = doc.compaction;
  for (const s of cp.sweeps) {
    const gc = s.levels.some((l) => l.gc !== null);
    out.push(`### ${esc(s.name)} (${code(s.dir || '.')}): transaction failure by ${s.by.join(' × ')}`, '');
    if (s.pooled.length > 0) out.push(`- Pooled over ${s.pooled.join(', ')} within each row. ${a('results.csv', s.file)}`, '');
    out.push(`| compact_interval_s |${gc ? ' compact_gc |' : ''} configurations | transaction failure [95 % CI] (failed/txns) | evidence |`, `|${' --- |'.repeat(gc ? 5 : 4)}`);
    for (const l of s.levels) out.push(`| ${cellText(l.interval_s)} |${gc ? ` ${cellText(l.gc)} |` : ''} ${l.configs} | ${rateText(l)} | ${evs(l.evidence)} |`);
    out.push('');
  }
  if (cp.withCompactor.length > 0) {
    const gc = cp.withCompactor.some((c) => c.gc !== null);
    out.push(
      'Configurations run with a compactor:',
      '',
      `| sweep | compact_interval_s |${gc ? ' compact_gc |' : ''} transaction failure [95 % CI] (failed/txns) | evidence |`,
      `|${' --- |'.repeat(gc ? 5 : 4)}`,
    );
    for (const c of cp.withCompactor) out.push(`| ${code(c.sweep || '.')} | ${c.interval_s} |${gc ? ` ${cellText(c.gc)} |` : ''} ${rateText(c)} | ${ev(c.evidence)} |`);
    out.push('');
  }
  if (cp.withoutCompactor.configs > 0) {
    out.push(
      `- ${cp.withoutCompactor.configs} workload configurations ran with no compactor (compact_interval_s = 0): the envelope and retry results above say nothing about compaction's extra HEAD rewrites. ${cp.withoutCompactor.sweeps.map((s) => a(`${s.dir || '.'}/results.csv`, s.file)).join(', ')}`,
    );
  }
  for (const h of cp.hazards) {
    out.push(`- ${code(h.hazard)} (§${h.section}) reproduced in ${rateText(h.reproduced)} seeds: ${h.mitigation?.mitigation ?? 'see the hazards section'} ${evs(h.evidence.slice(0, 2))}`);
  }
  if (cp.sweeps.length === 0 && cp.withCompactor.length === 0 && cp.hazards.length === 0) out.push('No data: see [What is missing](#7-what-is-missing).');
  out.push('');

  // 4. Hazards
  out.push(`## ${HAZARDS_TITLE}`, '');
  if (doc.hazards.hazards.length === 0 && doc.hazards.crashes.length === 0) out.push('No data: see [What is missing](#7-what-is-missing).', '');
  if (doc.hazards.hazards.length > 0) {
    out.push('Reproduced: seeds that showed the hazard of seeds run (95 % Wilson interval). Most reliably reproduced first.', '');
    out.push('| hazard | § | reproduced [95 % CI] (seeds) | what the runs showed | replay | risk and mitigation | evidence |', '| --- | --- | --- | --- | --- | --- | --- |');
    const multi = hazardProfiles(doc.hazards.hazards).length > 1;
    for (const h of doc.hazards.hazards) {
      const totals = h.findings.map((f) => `${f.value} ${f.label}`).join(', ');
      const showed = [h.evidenceText === '' ? '' : `replay run: ${h.evidenceText}`, totals === '' ? '' : `all ${h.reproduced.n} seeds: ${totals}`].filter((x) => x !== '').join('. ') || '—';
      const mitigation = h.mitigation === null ? 'no mitigation recorded for this hazard id' : `${h.mitigation.risk}. **Mitigation:** ${h.mitigation.mitigation}`;
      const first = h.firstRun === null ? '' : `; first reproducing run ${a('run.json', h.firstRun)}`;
      out.push(`| ${code(h.hazard)}${multi ? ` (${h.profile})` : ''} | ${h.section} | ${rateText(h.reproduced)} | ${esc(showed)} | ${h.replay === null ? '—' : code(h.replay)} | ${esc(mitigation)} | ${evs(h.evidence)}${first} |`);
    }
    out.push('');
  }
  for (const c of doc.hazards.crashes) {
    out.push(`- Crash experiment ${code(c.dir || '.')} (a real kill -9 between segment PUT and HEAD CAS, §6.2): verdict ${c.verdict}${c.commits === null ? '' : `, ${c.commits} commits of ${c.attempts ?? '?'} attempts`}. ${ev(c.evidence)}`);
  }
  if (doc.hazards.crashes.length > 0) out.push('');

  // 5. Isolation
  out.push(`## ${ISOLATION_TITLE}`, '');
  if (doc.isolation.length === 0) out.push('No runs.', '');
  else {
    out.push(
      "Every run's history is checked for strict serializability (black-box) and replayed against the stored objects (white-box). " +
        'Hazard reproductions are meant to show anomalies. HEAD-cache runs (head_cache_ms > 0) give up real-time order by design — a reader may use a HEAD up to head_cache_ms old: serializable, not strict-serializable — so `*-realtime` and `stale-read` anomalies are expected there (docs/research.md); any other type would be a finding. ' +
        'Every other run — workload sweeps, research sweeps without a HEAD cache, boundary probes, chaos scenarios — must not show anomalies: any it shows is a finding (runs with a compactor are known to show `G1a`/`dirty-update`, hazard §6.1).',
      '',
    );
    out.push('| runs | total | verified | with anomalies [95 % CI] (runs/verified) | anomaly types (runs) | evidence |', '| --- | --- | --- | --- | --- | --- |');
    for (const g of doc.isolation) {
      const types = Object.entries(g.types).map(([t, n]) => `${t} (${n})`).join(', ') || 'none';
      out.push(`| ${ISOLATION_NAMES[g.group]} | ${g.runs} | ${g.verified} | ${rateText(g.anomalous)} | ${esc(types)} | ${runs(g.evidence)} in ${g.dirs.map((d) => code(d || '.')).slice(0, 4).join(', ')}${g.dirs.length > 4 ? ', …' : ''} |`);
    }
    out.push('');
  }

  // 6. Research
  out.push(`## ${RESEARCH_TITLE}`, '');
  if (doc.research.length === 0) out.push('None: no sweep varies or fixes a research knob.', '');
  else {
    out.push(
      `Sweeps that vary a research knob (${RESEARCH_KNOBS.map(code).join(', ')}) or hold one away from its default change the system under test, so none of them is part of the envelope; each answers its own question (docs/research.md). GC-mode sweeps feed the compaction section.`,
      '',
    );
    out.push('| sweep | varies | held away from default | question | configurations / runs | used in | evidence |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const r of doc.research) {
      const varied = r.knobs.varied.map((k) => `${code(k)} (${(r.values[k] ?? []).map(cellText).join(', ')})`).join(', ') || '—';
      const fixed = settingText(r.knobs.fixed);
      out.push(
        `| ${esc(r.name)} (${code(r.dir || '.')}) | ${varied} | ${Object.keys(r.knobs.fixed).length === 0 ? '—' : esc(fixed)} | ${r.question === null ? NO_QUESTION : esc(r.question)} | ${r.configs} / ${r.runs} | ${r.usedIn === null ? '—' : '§3 compaction'} | ${a('results.csv', r.file)} |`,
      );
    }
    out.push('');
  }

  // 7. Missing
  out.push('## 7. What is missing', '');
  if (doc.missing.length === 0) out.push('Nothing: every section has data.');
  for (const m of doc.missing) out.push(`- ${m.section}: ${m.what}. Produce it with ${code(m.command)}.`);
  out.push('');
  return out.join('\n');
}

/** What the results measured: fusio-manifest 0.5 alone, or with the lab's stricter profiles. */
function titleOf(doc: Readiness): string {
  const profiles = hazardProfiles(doc.hazards.hazards).filter((p) => p !== 'fusio-0.5');
  return profiles.length === 0 ? 'fusio-manifest 0.5 manifest' : `fusio-manifest 0.5 manifest and the ${profiles.join(', ')} profile${profiles.length > 1 ? 's' : ''}`;
}
