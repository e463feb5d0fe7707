/**
 * The production readiness page: the same document `manifest-lab recommend` writes as Markdown,
 * built from the same structure, with every claim linking to the site's own pages and copies of
 * the run files instead of the results directory.
 */
import { basename, relative, sep } from 'node:path';
import { type Column, link, table } from './components.js';
import { html, page, type Safe } from './html.js';
import type { SiteData } from './model.js';
import type { Page } from './pages.js';
import { href } from './paths.js';
import {
  boundaryEndText,
  type Evidence,
  estimateText,
  FIELD_LABELS,
  hazardProfiles,
  ISOLATION_NAMES,
  NO_QUESTION,
  percent,
  RESEARCH_KNOBS,
  type Readiness,
  RUNS_SHOWN,
  type RunLink,
  rateText,
  SUMMARY_TOPICS,
  settingText,
} from './report-api.js';
import { chaosPage, configPage, crashPage, hazardsPage, READINESS, runBase, sweepBase } from './site-paths.js';

const cell = (v: unknown) => (v === null || v === undefined ? '—' : String(v));

/** Results-relative files (as the readiness structure names them) → their site paths. */
export function siteFiles(data: SiteData): Map<string, string> {
  const rel = (abs: string) => relative(data.results, abs).split(sep).join('/');
  const map = new Map<string, string>();
  for (const s of data.sweeps) {
    map.set([s.dir, 'results.csv'].filter((p) => p !== '').join('/'), `${sweepBase(s.dir)}/results.csv`);
    for (const c of s.configs) {
      map.set(`${rel(c.dir)}/summary.json`, configPage(s.dir, c.id));
      for (const r of c.runs) map.set(rel(r.files.run), `${runBase(s.dir, c.id, r.id)}/run.json`);
    }
  }
  const join = (dir: string, f: string) => [dir, f].filter((p) => p !== '').join('/');
  for (const h of data.hazards) map.set(join(h.dir, 'hazards.csv'), hazardsPage(h.dir));
  for (const c of data.chaos) map.set(join(c.dir, 'chaos.csv'), chaosPage(c.dir));
  for (const c of data.crashes) map.set(join(c.dir, 'crash.json'), crashPage(c.dir));
  return map;
}

export function readinessPageOf(doc: Readiness, data: SiteData): Page {
  const from = READINESS;
  const files = siteFiles(data);
  const to = (file: string, text: string): Safe => {
    const target = files.get(file);
    return target === undefined ? html`<code>${file}</code>` : link(href(from, target), text);
  };
  const runs = (list: readonly RunLink[]): Safe =>
    list.length === 0 ? html`` : html`runs ${list.slice(0, RUNS_SHOWN).map((r, i) => html`${i > 0 ? ', ' : ''}${to(r.file, r.id)}`)}${list.length > RUNS_SHOWN ? ` +${list.length - RUNS_SHOWN} more` : ''}`;
  const ev = (e: Evidence): Safe => html`${to(e.file, e.label)}${e.runs.length > 0 ? html` (${runs(e.runs)})` : ''}`;
  const evs = (list: readonly Evidence[]): Safe => html`${list.map((e, i) => html`${i > 0 ? '; ' : ''}${ev(e)}`)}`;
  const budget = percent(doc.threshold);
  const p = doc.provenance;
  const missingLink = html`<p>No data: see <a href="#missing">what is missing</a>.</p>`;

  const envelope = doc.envelope.sweeps.map((s) => {
    const fields = Object.keys(s.configs[0]?.setting ?? {}).filter((f) => s.axes.includes(f));
    const cols: Column<(typeof s.configs)[number]>[] = [
      ...fields.map((f) => ({ head: FIELD_LABELS[f] ?? f, cell: (c: (typeof s.configs)[number]) => ({ content: cell(c.setting[f]), sort: typeof c.setting[f] === 'number' ? (c.setting[f] as number) : null }) })),
      { head: 'transaction failure [95 % CI] (failed/txns)', cell: (c) => ({ content: rateText(c.failure), sort: c.failure.value }) },
      { head: 'verdict', cell: (c) => html`<span class="${c.verdict === 'safe' ? 'good' : c.verdict === 'over' ? 'bad' : 'muted'}">${c.verdict}</span>` },
      { head: 'write TPS [CI]', cell: (c) => estimateText({ ...c.writeTps, n: c.replicas }, 'txn/s') },
      { head: 'evidence', cell: (c) => ev(c.evidence) },
    ];
    const total = s.counts.safe + s.counts.maybe + s.counts.over;
    return html`<h3>${s.name} (<code>${s.dir || '.'}</code>)</h3>
<ul><li>${s.counts.safe} of ${total} configurations are safe, ${s.counts.maybe} maybe (point estimate under ${budget}, interval reaching it), ${s.counts.over} over (point estimate at or above). ${to(s.file, 'results.csv')}</li>
<li>Holds only under: ${settingText(s.conditions)}. ${to(s.file, 'results.csv')}</li></ul>
${table(cols, s.configs)}`;
  });

  const boundary =
    doc.envelope.boundaries.length === 0
      ? html``
      : html`<h3>Boundary: the writer rate at which each cell crosses the threshold</h3>${table(
          [
            { head: 'cell', cell: (b) => b.cell },
            { head: 'status', cell: (b) => b.status },
            { head: 'safe up to (rate: failure)', cell: (b) => boundaryEndText(b.below) },
            { head: 'near (rate: failure)', cell: (b) => boundaryEndText(b.near) },
            { head: 'over from (rate: failure)', cell: (b) => boundaryEndText(b.above) },
            { head: 'probes / runs', cell: (b) => `${b.probes} / ${b.runs}` },
            { head: 'evidence', cell: (b) => html`${to(b.file, 'boundary.csv')}; ${evs([...(b.below?.evidence ?? []), ...(b.near?.evidence ?? []), ...(b.above?.evidence ?? [])])}` },
          ] satisfies Column<(typeof doc.envelope.boundaries)[number]>[],
          doc.envelope.boundaries,
        )}`;

  const mark = { best: '★', tied: '=', worse: '✗', unknown: '?' } as const;
  const retry = doc.retry.map((r) => {
    const success = r.metrics[0];
    const cols: Column<NonNullable<typeof success>['scores'][number]>[] = [
      ...r.axes.map((f) => ({ head: f, cell: (s: NonNullable<typeof success>['scores'][number]) => cell(s.setting[f]) })),
      ...r.metrics.map((m) => ({
        head: `${m.label} (${m.better} is better)`,
        cell: (s: NonNullable<typeof success>['scores'][number]) => {
          const x = m.scores.find((y) => y.id === s.id);
          return x === undefined ? '—' : { content: `${mark[x.standing]} ${estimateText(x.estimate, m.unit)}`, sort: x.estimate.value };
        },
      })),
      { head: 'evidence', cell: (s) => ev(s.evidence) },
    ];
    const list = (xs: typeof r.candidates) => html`${xs.map((s, i) => html`${i > 0 ? '; ' : ''}${settingText(s.setting)} — ${ev(s.evidence)}`)}`;
    return html`<h3>${r.name} (<code>${r.dir || '.'}</code>)</h3>
<ul><li>Measured under: ${settingText(r.conditions)}. ${to(r.file, 'results.csv')}</li>
<li>Highest per-transaction success (best, or interval overlapping the best's): ${list(r.candidates)}.</li>
${r.recommended.length > 0 && r.recommended.length < r.candidates.length ? html`<li>Of those, best or indistinguishable from their best on every other metric (each metric judged on its own): ${list(r.recommended)}.</li>` : ''}
${r.recommended.length === 0 && r.candidates.length > 1 ? html`<li>None of those is best or indistinguishable from their best on every other metric (each judged on its own): they trade off; choose by the metric that matters most in the table below. ${to(r.file, 'results.csv')}</li>` : ''}
${r.absent.map((x) => html`<li>Not measured: ${x.metric} — ${x.reason}. ${to(r.file, 'results.csv')}</li>`)}</ul>
<p class="muted">★ best (by its conservative interval end), = indistinguishable from the best, ✗ worse, ? no interval to compare.</p>
${table(cols, success?.scores ?? [])}`;
  });

  const cp = doc.compaction;
  const compaction = html`${cp.sweeps.map(
    (s) =>
      html`<h3>${s.name}: transaction failure by ${s.by.join(' × ')}</h3><ul>${s.pooled.length > 0 ? html`<li>Pooled over ${s.pooled.join(', ')} within each level. ${to(s.file, 'results.csv')}</li>` : ''}${s.levels.map((l) => html`<li>compact_interval_s ${cell(l.interval_s)}${l.gc === null ? '' : `, compact_gc ${l.gc}`}: ${rateText(l)} over ${l.configs} configurations — ${evs(l.evidence)}</li>`)}</ul>`,
  )}<ul>${cp.withCompactor.map((c) => html`<li><code>${c.sweep || '.'}</code>, compact_interval_s ${c.interval_s}${c.gc === null ? '' : `, compact_gc ${c.gc}`}: ${rateText(c)} — ${ev(c.evidence)}</li>`)}
${cp.withoutCompactor.configs > 0 ? html`<li>${cp.withoutCompactor.configs} workload configurations ran with no compactor (compact_interval_s = 0): the envelope and retry results say nothing about compaction. ${cp.withoutCompactor.sweeps.map((s, i) => html`${i > 0 ? ', ' : ''}${to(s.file, `${s.dir || '.'}/results.csv`)}`)}</li>` : ''}
${cp.hazards.map((h) => html`<li><code>${h.hazard}</code> (§${h.section}) reproduced in ${rateText(h.reproduced)} seeds: ${h.mitigation?.mitigation ?? 'see the hazards section'} ${evs(h.evidence.slice(0, 2))}</li>`)}</ul>`;

  const hz = doc.hazards;
  const hazards =
    hz.hazards.length === 0
      ? missingLink
      : table(
          [
            { head: 'hazard', cell: (h) => html`<code>${h.hazard}</code>` },
            ...(hazardProfiles(hz.hazards).length > 1 ? [{ head: 'profile', cell: (h: (typeof hz.hazards)[number]) => h.profile }] : []),
            { head: '§', cell: (h) => h.section },
            { head: 'reproduced [95 % CI] (seeds)', cell: (h) => ({ content: rateText(h.reproduced), sort: h.reproduced.value }) },
            {
              head: 'what the runs showed',
              cell: (h) => [h.evidenceText === '' ? '' : `replay run: ${h.evidenceText}`, h.findings.length === 0 ? '' : `all ${h.reproduced.n} seeds: ${h.findings.map((f) => `${f.value} ${f.label}`).join(', ')}`].filter((x) => x !== '').join('. ') || '—',
            },
            { head: 'replay', cell: (h) => (h.replay === null ? '—' : html`<code>${h.replay}</code>`) },
            { head: 'risk and mitigation', cell: (h) => (h.mitigation === null ? 'no mitigation recorded for this hazard id' : html`${h.mitigation.risk}. <strong>Mitigation:</strong> ${h.mitigation.mitigation}`) },
            { head: 'evidence', cell: (h) => html`${evs(h.evidence)}${h.firstRun === null ? '' : html`; first reproducing run ${to(h.firstRun, 'run.json')}`}` },
          ] satisfies Column<(typeof hz.hazards)[number]>[],
          hz.hazards,
        );

  const isolation = table(
    [
      { head: 'runs', cell: (g) => ISOLATION_NAMES[g.group] ?? g.group },
      { head: 'total', cell: (g) => ({ content: String(g.runs), sort: g.runs }) },
      { head: 'verified', cell: (g) => ({ content: String(g.verified), sort: g.verified }) },
      { head: 'with anomalies [95 % CI] (runs/verified)', cell: (g) => ({ content: rateText(g.anomalous), sort: g.anomalous.value }) },
      { head: 'anomaly types (runs)', cell: (g) => Object.entries(g.types).map(([t, n]) => `${t} (${n})`).join(', ') || 'none' },
      { head: 'evidence', cell: (g) => runs(g.evidence) },
    ] satisfies Column<(typeof doc.isolation)[number]>[],
    doc.isolation,
  );

  const research =
    doc.research.length === 0
      ? html`<p>None: no sweep varies or fixes a research knob.</p>`
      : html`<p>Sweeps that vary a research knob (${RESEARCH_KNOBS.map((k, i) => html`${i > 0 ? ', ' : ''}<code>${k}</code>`)}) or hold one away from its default change the system under test, so none of them is part of the envelope; each answers its own question (docs/research.md). GC-mode sweeps feed the compaction section.</p>
${table(
  [
    { head: 'sweep', cell: (r) => html`${r.name} (<code>${r.dir || '.'}</code>)` },
    { head: 'varies', cell: (r) => r.knobs.varied.map((k) => `${k} (${(r.values[k] ?? []).map(cell).join(', ')})`).join(', ') || '—' },
    { head: 'held away from default', cell: (r) => (Object.keys(r.knobs.fixed).length === 0 ? '—' : settingText(r.knobs.fixed)) },
    { head: 'question', cell: (r) => r.question ?? NO_QUESTION },
    { head: 'configurations / runs', cell: (r) => `${r.configs} / ${r.runs}` },
    { head: 'used in', cell: (r) => (r.usedIn === null ? '—' : html`<a href="#compaction">3. compaction</a>`) },
    { head: 'evidence', cell: (r) => to(r.file, 'results.csv') },
  ] satisfies Column<(typeof doc.research)[number]>[],
  doc.research,
)}`;

  const sectionIds: Record<string, string> = { envelope: 'envelope', retry: 'retry', hazards: 'hazards', isolation: 'isolation', research: 'research' };
  const absent = SUMMARY_TOPICS.filter((t) => t.topic !== 'research' && !doc.summary.some((i) => i.topic === t.topic)).map((t) => t.label.toLowerCase());
  const summary = html`<ul>${doc.summary.map((item) => {
    const label = SUMMARY_TOPICS.find((t) => t.topic === item.topic)?.label ?? item.topic;
    const links = [...item.links.map((l) => to(l.file, l.label)), ...(item.runs.length > 0 ? [runs(item.runs)] : [])];
    return html`<li><strong>${label}</strong> (<a href="#${sectionIds[item.section] ?? 'summary'}">§</a>): ${item.text} ${links.map((l, i) => html`${i > 0 ? '; ' : ''}${l}`)}</li>`;
  })}</ul>${absent.length > 0 ? html`<p>No data for: ${absent.join(', ')} — see <a href="#missing">what is missing</a>.</p>` : ''}`;

  const body = html`
<p>From <code>${basename(p.root)}</code>: ${p.runs} runs (built code ${p.codeVersions.join(', ') || 'unknown'}; backend ${p.backends.join(', ') || 'unknown'}; ${p.time.join(', ') || 'unknown'} time). Every number is read from those results and every claim links to the runs behind it. Rates are k/n with a 95 % Wilson interval; “safe” means the whole interval of the transaction failure rate lies under ${budget}. The same document as Markdown: <code>manifest-lab recommend</code>.</p>
<h2 id="summary">Summary</h2>
${summary}
<h2 id="envelope">1. Safe operating envelope (transaction failure rate under ${budget})</h2>
${doc.envelope.sweeps.length === 0 && doc.envelope.boundaries.length === 0 ? missingLink : html`${envelope}${boundary}`}
<h2 id="retry">2. Retry settings</h2>
${doc.retry.length === 0 ? missingLink : retry}
<h2 id="compaction">3. Compaction settings</h2>
${compaction}
<h2 id="hazards">4. Hazards observed</h2>
${hazards}
${hz.crashes.map((c) => html`<p>Crash experiment <code>${c.dir || '.'}</code> (a real kill -9 between segment PUT and HEAD CAS, §6.2): verdict ${c.verdict}. ${ev(c.evidence)}</p>`)}
<h2 id="isolation">5. Isolation</h2>
${isolation}
<h2 id="research">6. Research sweeps (kept out of the envelope)</h2>
${research}
<h2 id="missing">7. What is missing</h2>
${doc.missing.length === 0 ? html`<p>Nothing: every section has data.</p>` : html`<ul>${doc.missing.map((m) => html`<li>${m.section}: ${m.what}. Produce it with <code>${m.command}</code>.</li>`)}</ul>`}`;
  return { path: from, html: page({ title: 'Production readiness', root: '', body, sortable: true }) };
}
