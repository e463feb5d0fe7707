import { basename } from 'node:path';
import { type Cell, type Column, countCell, figures, link, metricCell, rateCell, table, truthy, verdictCell } from './components.js';
import { fixed, num, pct, pp, rateWithInterval } from './format.js';
import { html, page, type Safe } from './html.js';
import type { ChaosView, ConfigView, CrashView, HazardsByProfileView, HazardsView, OverlapAnswer, ProfilesAnswer, Row, RunView, SiteData, SweepView, ThresholdAnswer } from './model.js';
import { href, rootOf } from './paths.js';
import { wilson } from './report-api.js';
import { COMPARE_INDEX, chaosPage, comparePage, configBase, configPage, crashPage, hazardsPage, INDEX, READINESS, runBase, sweepBase, sweepPage } from './site-paths.js';

/** A page to write: its site path and its HTML. */
export interface Page {
  readonly path: string;
  readonly html: string;
}

const FAILURE_CLASSES = ['conflict', 'lease_race', 'ambiguous', 'timeout', 'throttled', 'crashed', 'other'] as const;
/** Anomalies shown per type per run; the rest are in the linked verify.json. */
const ANOMALIES_SHOWN = 5;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** `writer_rate=2, key_overlap_ratio=0.5`: a config's axis values. */
export function axisLabel(sweep: SweepView, row: Row): string {
  return sweep.axes.length === 0 ? 'the only configuration' : sweep.axes.map((a) => `${a}=${str(row[a])}`).join(', ');
}

function crumbs(from: string, parts: readonly (readonly [string, string])[]): Safe {
  return html`<nav aria-label="Breadcrumb" class="muted">${parts.map(([to, text], i) => html`${i > 0 ? ' › ' : ''}${link(href(from, to), text)}`)}</nav>`;
}

// ---------------------------------------------------------------------------------------------
// Front page

const ppInterval = (d: { value: number | null; lo: number | null; hi: number | null }): string =>
  d.value === null ? 'undefined (no samples)' : `${pp(d.value)} [${d.lo === null ? '?' : pp(d.lo)} to ${d.hi === null ? '?' : pp(d.hi)}]`;

function overlapSection(answers: readonly OverlapAnswer[], from: string, sweeps: readonly SweepView[]): Safe {
  if (answers.length === 0) {
    return html`<p>These results hold no sweep that varies <code>key_overlap_ratio</code>, so they cannot say. Run <code>sweeps/overlap.json</code> (part of <code>pnpm turbo run report</code>).</p>`;
  }
  return html`${answers.map((a) => {
    const sweep = sweeps.find((s) => s.dir === a.sweep);
    const where = sweep === undefined ? html`<code>${a.sweep}</code>` : link(href(from, sweepPage(sweep.dir)), sweep.name);
    const metric = a.metric === 'txn_failure_rate' ? 'transaction failure rate' : a.metric.replaceAll('_', ' ');
    const answer =
      a.verdict === 'no detectable effect'
        ? html`<strong>No detectable effect</strong>: the interval of the difference includes zero.`
        : a.verdict === 'not enough data'
          ? html`<strong>Not enough data</strong> to tell.`
          : html`<strong class="bad">Yes — ${a.verdict}</strong>: the whole interval of the difference lies ${a.difference.value !== null && a.difference.value > 0 ? 'above' : 'below'} zero.`;
    const side = (s: OverlapAnswer['low']) => html`overlap ${fixed(s.overlap)}: ${rateWithInterval(s.value, s.lo, s.hi)} (${s.k}/${s.n} over ${s.configs} configurations)`;
    return html`<div class="answer"><p>${answer}</p>
<p>In ${where}, the ${metric} at key overlap ${fixed(a.high.overlap)} minus at ${fixed(a.low.overlap)} is <strong>${ppInterval(a.difference)}</strong> (95 % interval${a.matched ? ', configurations matched on every other axis' : ''}).</p>
<ul><li>${side(a.low)}</li><li>${side(a.high)}</li></ul></div>`;
  })}`;
}

/** Sweeps that vary `profile`: a row per profile, the same questions answered on the same configurations. */
function profilesSection(answers: readonly ProfilesAnswer[], from: string, sweeps: readonly SweepView[]): Safe {
  return html`${answers.map((a) => {
    const sweep = sweeps.find((s) => s.dir === a.sweep);
    const where = sweep === undefined ? html`<code>${a.sweep}</code>` : link(href(from, sweepPage(sweep.dir)), sweep.name);
    const overlapHead = a.profiles.find((p) => p.overlap !== null)?.overlap;
    const cols: Column<ProfilesAnswer['profiles'][number]>[] = [
      { head: 'profile', cell: (p) => p.profile },
      { head: 'configs', cell: (p) => countCell(p.configs) },
      {
        head: overlapHead === undefined || overlapHead === null ? 'overlap effect' : `failure rate, overlap ${fixed(overlapHead.high.overlap)} − ${fixed(overlapHead.low.overlap)} [95 % CI]`,
        title: 'transaction failure rate at the highest key overlap minus at the lowest, configurations matched on every other axis',
        cell: (p) => ({ content: p.overlap === null ? '—' : `${ppInterval(p.overlap.difference)} (${p.overlap.verdict})`, sort: p.overlap?.difference.value ?? null }),
      },
      {
        head: 'failure rate at low / high overlap',
        cell: (p) => (p.overlap === null ? '—' : `${rateWithInterval(p.overlap.low.value, p.overlap.low.lo, p.overlap.low.hi)} / ${rateWithInterval(p.overlap.high.value, p.overlap.high.lo, p.overlap.high.hi)}`),
      },
      {
        head: 'conflicts per attempt, high − low overlap [95 % CI]',
        title: 'precondition failures / write attempts at the highest key overlap minus at the lowest, configurations matched on every other axis',
        cell: (p) => ({
          content: p.overlapPerAttempt === null ? '—' : `${ppInterval(p.overlapPerAttempt.difference)} (${p.overlapPerAttempt.verdict})`,
          sort: p.overlapPerAttempt?.difference.value ?? null,
        }),
      },
      { head: 'requests per commit', title: 'all object-store requests over all commits', cell: (p) => ({ content: p.requestsPerCommit === null ? '—' : fixed(p.requestsPerCommit, 1), sort: p.requestsPerCommit }) },
      { head: 'write p99, ms (median / worst config)', cell: (p) => ({ content: p.writeP99MedianMs === null ? '—' : `${fixed(p.writeP99MedianMs, 0)} / ${fixed(p.writeP99MaxMs, 0)}`, sort: p.writeP99MedianMs }) },
    ];
    return html`<h3>${where}</h3>${table(cols, a.profiles)}`;
  })}`;
}

/** Hazard results of several profiles: seeds reproduced and anomaly classes, a column per profile. */
function hazardsByProfileSection(v: HazardsByProfileView, from: string): Safe {
  const cols: Column<HazardsByProfileView['rows'][number]>[] = [
    { head: 'hazard', cell: (r) => r.hazard },
    { head: '§', cell: (r) => r.section },
    ...v.profiles.map(
      (p): Column<HazardsByProfileView['rows'][number]> => ({
        head: p,
        title: `seeds that reproduced the hazard under ${p}, and the anomaly classes its runs showed`,
        cell: (r) => {
          const c = r.cells[p];
          if (c === undefined) return '—';
          return {
            content: html`${link(href(from, hazardsPage(c.dir)), `${c.reproduced}/${c.runs}`)}${c.anomalyTypes.length === 0 ? '' : html` <span class="muted">${c.anomalyTypes.join(', ')}</span>`}`,
            sort: c.runs === 0 ? null : c.reproduced / c.runs,
          };
        },
      }),
    ),
  ];
  return html`<p>Seeds reproduced of seeds run (k/n) and the anomaly classes found, per profile (<code>manifest-lab chaos --scenarios hazards --all-profiles</code>, or a sweep file's <code>"hazards"</code> block: one directory each).</p>${table(cols, v.rows)}`;
}

function thresholdSection(answers: readonly ThresholdAnswer[], from: string, sweeps: readonly SweepView[]): Safe {
  if (answers.length === 0) return html`<p>No sweeps found.</p>`;
  return html`${answers.map((a) => {
    const sweep = sweeps.find((s) => s.dir === a.sweep);
    const name = sweep === undefined ? a.sweep : sweep.name;
    const head = html`<h3>${sweep === undefined ? name : link(href(from, sweepPage(sweep.dir)), name)}: ${a.below.length} of ${a.total} configurations</h3>`;
    const maybe =
      a.maybe.length === 0
        ? ''
        : html`<p class="muted">${a.maybe.length} more have a point estimate under ${pct(a.threshold, 0)} but an interval reaching it: more samples would tell (${a.maybe
            .slice(0, 10)
            .map((c, i) => html`${i > 0 ? ', ' : ''}${sweep === undefined ? c.id : link(href(from, configPage(sweep.dir, c.id)), c.id)}`)}${a.maybe.length > 10 ? ', …' : ''}).</p>`;
    if (a.below.length === 0) return html`${head}<p>None: no configuration's 95 % interval lies wholly below ${pct(a.threshold, 0)}.</p>${maybe}`;
    const cols: Column<ThresholdAnswer['below'][number]>[] = [
      { head: 'configuration', cell: (c) => (sweep === undefined ? c.id : link(href(from, configPage(sweep.dir, c.id)), c.id)) },
      { head: 'axes', cell: (c) => c.label },
      { head: 'failure rate [95 % CI]', cell: (c) => ({ content: rateWithInterval(c.value, c.lo, c.hi), sort: c.value }) },
      { head: 'transactions (n)', cell: (c) => countCell(c.n) },
    ];
    return html`${head}${table(cols, a.below)}${maybe}`;
  })}`;
}

export function indexPage(data: SiteData): Page {
  const from = INDEX;
  const sweeps = data.sweeps.filter((s) => s.role === 'sweep');
  const runs = (s: SweepView) => s.configs.reduce((n, c) => n + c.runs.length, 0);
  const sweepCols: Column<SweepView>[] = [
    { head: 'sweep', cell: (s) => link(href(from, sweepPage(s.dir)), s.name) },
    { head: 'directory', cell: (s) => html`<code>${s.dir || '.'}</code>` },
    { head: 'axes', cell: (s) => s.axes.join(', ') },
    { head: 'configurations', cell: (s) => countCell(s.configs.length) },
    { head: 'runs', cell: (s) => countCell(runs(s)) },
    {
      head: 'isolation',
      cell: (s) => {
        const bad = s.rows.filter((r) => truthy(r.isolation_valid) === false).length;
        return bad === 0 ? html`<span class="good">all valid</span>` : html`<span class="bad">${bad} with anomalies</span>`;
      },
    },
  ];
  const body = html`
<p>Every result directory found under <code>${basename(data.results) || data.results}</code>: configuration sweeps, chaos runs and hazard reproductions, with their CSV and JSON files.</p>
${data.readiness === undefined ? '' : html`<h2 id="readiness">Production readiness</h2>
<p>${link(href(from, READINESS), 'The production readiness document')}: the safe operating envelope, retry and compaction settings, hazards and their mitigations, isolation — every claim linked to its runs.</p>`}
<h2 id="overlap">Does key overlap matter?</h2>
${overlapSection(data.overlap, from, data.sweeps)}
${data.profiles === undefined || data.profiles.length === 0 ? '' : html`<h2 id="profiles">Profiles side by side</h2>
<p class="muted">Sweeps with <code>profile</code> as an axis, split by profile: the key-overlap effect, requests per commit and write p99 on the same configurations.</p>
${profilesSection(data.profiles, from, data.sweeps)}`}
<h2 id="threshold">Which configurations keep the failure rate under 10 %?</h2>
<p class="muted">Transaction failure rate (transactions that did not commit), counted only when the whole 95 % interval lies below 10 %.</p>
${thresholdSection(data.threshold, from, data.sweeps)}
<h2 id="sweeps">Sweeps</h2>
${sweeps.length === 0 ? html`<p>No sweeps found.</p>` : table(sweepCols, sweeps)}
<h2 id="chaos">Chaos</h2>
${data.chaos.length === 0 ? html`<p>No chaos results found (<code>manifest-lab chaos</code> writes them).</p>` : html`<ul>${data.chaos.map((c) => html`<li>${link(href(from, chaosPage(c.dir)), c.name)} — ${c.scenarios.length} scenarios (<code>${c.dir || '.'}</code>)</li>`)}</ul>`}
<h2 id="hazards">Hazards</h2>
${data.hazards.length === 0 ? html`<p>No hazard results found (<code>manifest-lab chaos --scenarios hazards</code> writes them).</p>` : html`<ul>${data.hazards.map((h) => html`<li>${link(href(from, hazardsPage(h.dir)), h.name)} — ${h.hazards.length} hazards (<code>${h.dir || '.'}</code>)</li>`)}</ul>`}
${data.hazardsByProfile === undefined ? '' : html`<h3 id="hazards-by-profile">Hazards by profile</h3>${hazardsByProfileSection(data.hazardsByProfile, from)}`}
${data.crashes.length === 0 ? '' : html`<h2 id="crashes">Crash experiments</h2><ul>${data.crashes.map((c) => html`<li>${link(href(from, crashPage(c.dir)), c.name)} (<code>${c.dir || '.'}</code>)</li>`)}</ul>`}
${data.skipped.length === 0 ? '' : html`<h2 id="skipped">Not shown</h2><ul>${data.skipped.map((s) => html`<li><code>${s.dir}</code>: ${s.reason}</li>`)}</ul>`}
<h2 id="compare">Compare</h2>
<p>${link(href(from, COMPARE_INDEX), 'Two result sets side by side')}.</p>`;
  return { path: from, html: page({ title: 'manifest-lab results', root: '', body, sortable: true }) };
}

// ---------------------------------------------------------------------------------------------
// Sweep page

export function sweepColumns(sweep: SweepView, from: string): Column<Row>[] {
  return [
    { head: 'config', cell: (r) => link(href(from, configPage(sweep.dir, str(r.config_id))), str(r.config_id)) },
    ...sweep.axes.map((a): Column<Row> => ({ head: a, cell: (r) => ({ content: str(r[a]), sort: num(r[a]) ?? null }) })),
    { head: 'replicas', cell: (r) => countCell(r.replicas) },
    { head: 'txns (n)', title: 'write transactions: the sample size of the transaction failure rate', cell: (r) => countCell(r.write_txns) },
    { head: 'txn failure rate [95 % CI]', title: 'transactions that did not commit / transactions (Wilson interval)', cell: (r) => rateCell(r, 'txn_failure_rate') },
    { head: 'attempts (n)', title: 'write attempts: the sample size of the precondition failure rate', cell: (r) => countCell(r.write_attempts) },
    { head: 'precondition failures [95 % CI]', title: 'precondition failures per attempt (the reference metric)', cell: (r) => rateCell(r, 'precondition_failure_rate') },
    { head: 'top failure class', cell: (r) => str(r.top_failure_class) },
    { head: 'model conflict rate', cell: (r) => ({ content: pct(r.model_conflict_rate), sort: num(r.model_conflict_rate) ?? null }) },
    { head: 'write TPS [CI]', cell: (r) => metricCell(r, 'write_tps', 3) },
    { head: 'write p99 ms [CI]', title: '* = from fewer than 100 samples', cell: (r) => metricCell(r, 'write_p99_ms', 0) },
    { head: 'saturated', cell: (r) => (truthy(r.saturated) === true ? 'yes' : truthy(r.saturated) === false ? 'no' : '') },
    { head: 'isolation', cell: (r) => verdictCell(r) },
  ];
}

/** A sweep's results.csv, its replica counts and file links, its figure. */
export function sweepPageOf(sweep: SweepView, data: SiteData): Page {
  const from = sweepPage(sweep.dir);
  const parent =
    sweep.parent === undefined
      ? undefined
      : sweep.role === 'chaos-scenario'
        ? data.chaos.find((c) => c.dir === sweep.parent)
        : data.hazards.find((h) => h.dir === sweep.parent);
  const parentLink =
    parent === undefined ? [] : ([[sweep.role === 'chaos-scenario' ? chaosPage(parent.dir) : hazardsPage(parent.dir), parent.name]] as const);
  const files = ['results.csv', 'runs.csv', 'sweep.json'].map((f) => link(href(from, `${sweepBase(sweep.dir)}/${f}`), f));
  const body = html`${crumbs(from, [[INDEX, 'results'], ...parentLink])}
<p>${sweep.configs.length} configurations, ${sweep.configs.reduce((n, c) => n + c.runs.length, 0)} runs; axes: ${sweep.axes.length === 0 ? 'none' : sweep.axes.join(', ')}. Directory <code>${sweep.dir || '.'}</code>. Downloads: ${files.map((f, i) => html`${i > 0 ? ', ' : ''}${f}`)}.</p>
<h2>Figure</h2>
${figures(sweep.figures)}
<h2>Configurations</h2>
<p class="muted">One row per configuration, its replicas pooled; rates with 95 % Wilson intervals and their sample sizes, TPS and latency with bootstrap intervals over replicas (empty with one replica). Press a column header to sort.</p>
${table(sweepColumns(sweep, from), sweep.rows)}`;
  return { path: from, html: page({ title: `Sweep: ${sweep.name}`, root: rootOf(from), body, sortable: true }) };
}

// ---------------------------------------------------------------------------------------------
// Configuration page

function kv(entries: readonly (readonly [string, Safe | string])[]): Safe {
  return html`<dl class="kv">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

interface Anomaly {
  readonly type: string;
  readonly explanation: string;
  readonly cycle?: readonly string[];
  readonly steps?: readonly string[];
}

function anomaliesOf(doc: unknown, part: 'blackBox' | 'whiteBox'): Map<string, Anomaly[]> {
  const out = new Map<string, Anomaly[]>();
  const section = (doc as Record<string, unknown> | undefined)?.[part] as { anomalies?: Record<string, unknown> } | undefined;
  for (const [type, list] of Object.entries(section?.anomalies ?? {})) {
    if (!Array.isArray(list)) continue;
    out.set(
      type,
      list.map((a: Record<string, unknown>) => ({
        type: str(a.type ?? type),
        explanation: str(a.explanation),
        ...(Array.isArray(a.cycle) ? { cycle: a.cycle.map(str) } : {}),
        ...(Array.isArray(a.steps) ? { steps: a.steps.map(str) } : {}),
      })),
    );
  }
  return out;
}

/** One anomaly; a cycle is explained edge by edge (the edge, then why it holds). */
function anomalyItem(a: Anomaly): Safe {
  if (a.cycle !== undefined && a.cycle.length > 0) {
    const transactions = a.explanation.includes(' Where ') ? a.explanation.slice(a.explanation.lastIndexOf(' Where ') + 7) : '';
    return html`<li><p><strong>${a.type}</strong> cycle of ${a.cycle.length} transactions, edge by edge:</p>
<ol class="edges">${a.cycle.map((edge, i) => html`<li><code>${edge}</code>${a.steps?.[i] === undefined ? '' : html` — ${a.steps[i]}`}</li>`)}</ol>
${transactions === '' ? '' : html`<details><summary>The transactions</summary><pre>${transactions}</pre></details>`}</li>`;
  }
  return html`<li><p><strong>${a.type}</strong>: ${a.explanation.length > 600 ? html`${a.explanation.slice(0, 600)}… <span class="muted">(full text in verify.json)</span>` : a.explanation}</p></li>`;
}

function anomalySection(dir: string, configId: string, runs: readonly RunView[], from: string): Safe {
  const blocks = runs.flatMap((run) => {
    const verifyHref = run.files.verify === undefined ? undefined : href(from, `${runBase(dir, configId, run.id)}/verify.json`);
    return (['blackBox', 'whiteBox'] as const).flatMap((part) =>
      [...anomaliesOf(run.verify, part)].map(([type, list]) => {
        const shown = list.slice(0, ANOMALIES_SHOWN);
        return html`<h3>${run.id}: ${type} (${part === 'blackBox' ? 'black-box history check' : 'white-box replay of the stored objects'}), ${list.length} found</h3>
<ul>${shown.map(anomalyItem)}</ul>${list.length > shown.length && verifyHref !== undefined ? html`<p>${list.length - shown.length} more in ${link(verifyHref, 'verify.json')}.</p>` : ''}`;
      }),
    );
  });
  return blocks.length === 0 ? html`<p class="good">No isolation anomalies in any run of this configuration.</p>` : html`${blocks}`;
}

export function configPageOf(sweep: SweepView, config: ConfigView): Page {
  const from = configPage(sweep.dir, config.id);
  const r = config.row;
  const metrics: [string, Safe | string][] = [
    ['txn failure rate', html`${rateCell(r, 'txn_failure_rate').content} <span class="muted">n = ${str(r.write_txns)} transactions</span>`],
    ['precondition failure rate', html`${rateCell(r, 'precondition_failure_rate').content} <span class="muted">n = ${str(r.write_attempts)} attempts</span>`],
    ['commits', str(r.commits)],
    ['model conflict rate (HEAD CAS)', pct(r.model_conflict_rate)],
    ['write TPS', metricCell(r, 'write_tps', 3).content],
    ['read TPS', metricCell(r, 'read_tps', 3).content],
    ...(['write_p50_ms', 'write_p99_ms', 'read_p99_ms', 'commit_p99_ms', 'window_p50_ms'] as const).map((c): [string, Safe | string] => [c.replaceAll('_', ' '), metricCell(r, c, 1).content]),
    ['saturated', truthy(r.saturated) === true ? 'yes (writers or readers achieved < 90 % of offered load)' : 'no'],
    ['requests per commit', fixed(r.requests_per_commit, 1)],
    ['isolation', verdictCell(r).content],
  ];
  const classes = FAILURE_CLASSES.map((c) => ({ name: c, count: num(r[`fail_${c}`]) })).filter((c) => c.count !== undefined);
  const totalFailed = classes.reduce((n, c) => n + (c.count ?? 0), 0);
  const runCols: Column<RunView>[] = [
    { head: 'run', cell: (run) => run.id },
    { head: 'seed', cell: (run) => str(run.run.seed) },
    { head: 'verdict', cell: (run) => verdictCell({ isolation_valid: (run.run.isolation as Row | undefined)?.valid, anomaly_types: ((run.run.isolation as Row | undefined)?.anomaly_types as string[] | undefined)?.join(' ') ?? '' }) },
    {
      head: 'files',
      cell: (run) => {
        const b = runBase(sweep.dir, config.id, run.id);
        const names = ['run.json', 'history.jsonl', ...(run.files.verify === undefined ? [] : ['verify.json'])];
        return html`${names.map((n, i) => html`${i > 0 ? ', ' : ''}${link(href(from, `${b}/${n}`), n)}`)}`;
      },
    },
  ];
  const body = html`${crumbs(from, [
    [INDEX, 'results'],
    [sweepPage(sweep.dir), sweep.name],
  ])}
<p>${axisLabel(sweep, r)}; ${config.runs.length} run${config.runs.length === 1 ? '' : 's'} pooled. ${link(href(from, `${configBase(sweep.dir, config.id)}/summary.json`), 'summary.json')}</p>
<h2>Metrics</h2>
${kv(metrics)}
<h2>Failure classes</h2>
${
  classes.length === 0
    ? html`<p>No failure counts recorded.</p>`
    : table(
        [
          { head: 'class', cell: (c) => c.name },
          { head: 'failed transactions', cell: (c) => countCell(c.count) },
          { head: 'share of failures', cell: (c): Cell => ({ content: totalFailed === 0 ? '' : pct((c.count ?? 0) / totalFailed), sort: c.count ?? null }) },
        ],
        classes,
        { sortable: false },
      )
}
<h2>Charts of ${config.runs[0]?.id ?? 'the first run'}</h2>
${figures(config.charts)}
<h2>Isolation anomalies</h2>
${anomalySection(sweep.dir, config.id, config.runs, from)}
<h2>Runs</h2>
${table(runCols, config.runs, { sortable: false })}
<h2>Configuration</h2>
${kv(Object.entries(config.config).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : str(v)]))}`;
  return { path: from, html: page({ title: `${sweep.name} / ${config.id}`, root: rootOf(from), body, sortable: true }) };
}

// ---------------------------------------------------------------------------------------------
// Chaos, hazards, crash

export function chaosPageOf(chaos: ChaosView, data: SiteData): Page {
  const from = chaosPage(chaos.dir);
  const scenarioDir = (name: string) => chaos.scenarios.find((s) => s.name === name)?.sweep;
  const cols: Column<Row>[] = [
    {
      head: 'scenario',
      cell: (r) => {
        const d = scenarioDir(str(r.scenario));
        return d === undefined || !data.sweeps.some((s) => s.dir === d) ? str(r.scenario) : link(href(from, sweepPage(d)), str(r.scenario));
      },
    },
    { head: 'txns (n)', cell: (r) => countCell(r.write_txns) },
    { head: 'txn failure rate [95 % CI]', cell: (r) => rateCell(r, 'txn_failure_rate') },
    {
      head: 'Δ vs baseline [95 % CI]',
      title: "this scenario's transaction failure rate minus the baseline's (Newcombe interval)",
      cell: (r) => {
        const d = chaos.degradation.find((x) => x.scenario === str(r.scenario));
        if (d !== undefined) return { content: ppInterval(d), sort: d.value };
        return { content: num(r.txn_failure_rate_delta_pp) === undefined ? '' : `${fixed(r.txn_failure_rate_delta_pp, 1)} pp`, sort: num(r.txn_failure_rate_delta_pp) ?? null };
      },
    },
    { head: 'precondition failures [95 % CI]', cell: (r) => rateCell(r, 'precondition_failure_rate') },
    { head: 'write TPS ratio', cell: (r) => ({ content: fixed(r.write_tps_ratio, 2), sort: num(r.write_tps_ratio) ?? null }) },
    { head: 'write p99 ratio', cell: (r) => ({ content: fixed(r.write_p99_ratio, 2), sort: num(r.write_p99_ratio) ?? null }) },
    { head: 'retry effectiveness', cell: (r) => ({ content: fixed(r.retry_effectiveness, 2), sort: num(r.retry_effectiveness) ?? null }) },
    { head: 'isolation', cell: (r) => verdictCell(r) },
  ];
  const body = html`${crumbs(from, [[INDEX, 'results']])}
<p>${chaos.scenarios.length} scenarios on one configuration, each a sweep of its own. Directory <code>${chaos.dir || '.'}</code>. Download: ${link(href(from, from.replace(/index\.html$/, 'chaos.csv')), 'chaos.csv')}.</p>
<h2>Figure</h2>
${figures(chaos.figures)}
<h2>Scenarios</h2>
${table(cols, chaos.rows)}`;
  return { path: from, html: page({ title: `Chaos: ${chaos.name}`, root: rootOf(from), body, sortable: true }) };
}

export function hazardsPageOf(hz: HazardsView, data: SiteData): Page {
  const from = hazardsPage(hz.dir);
  const sweepOf = (name: string) => data.sweeps.find((s) => s.dir === hz.hazards.find((h) => h.name === name)?.sweep);
  const cols: Column<Row>[] = [
    {
      head: 'hazard',
      cell: (r) => {
        const s = sweepOf(str(r.hazard));
        return s === undefined ? str(r.hazard) : link(href(from, sweepPage(s.dir)), str(r.hazard));
      },
    },
    { head: '§', cell: (r) => str(r.section) },
    { head: 'reproduced', cell: (r) => ({ content: `${str(r.reproduced)}/${str(r.runs)}`, sort: num(r.reproduced_rate) ?? null }) },
    { head: 'rate [95 % CI]', cell: (r) => rateCell(r, 'reproduced_rate') },
    {
      head: 'replay',
      cell: (r) =>
        str(r.replay_seed) === ''
          ? html`<span class="muted">not reproduced</span>`
          : html`<code>manifest-lab chaos --scenarios ${str(r.hazard)} --replay-seed ${str(r.replay_seed)}</code>`,
    },
    {
      head: 'first reproducing run',
      cell: (r) => {
        const s = sweepOf(str(r.hazard));
        const [config] = str(r.run).split('/');
        return s === undefined || config === undefined || config === '' || !s.configs.some((c) => c.id === config) ? str(r.run) : link(href(from, configPage(s.dir, config)), str(r.run));
      },
    },
    { head: 'evidence', cell: (r) => str(r.evidence) },
  ];
  const body = html`${crumbs(from, [[INDEX, 'results']])}
<p>One scenario per fusio-manifest 0.5 hazard, each over several seeds, every run verified. A hazard is reproduced when its run shows the hazard's evidence; the replay command re-runs the first reproducing seed byte for byte. Directory <code>${hz.dir || '.'}</code>. Download: ${link(href(from, from.replace(/index\.html$/, 'hazards.csv')), 'hazards.csv')}.</p>
${table(cols, hz.rows)}`;
  return { path: from, html: page({ title: `Hazards: ${hz.name}`, root: rootOf(from), body, sortable: true }) };
}

export function crashPageOf(crash: CrashView): Page {
  const from = crashPage(crash.dir);
  const body = html`${crumbs(from, [[INDEX, 'results']])}
<p>A writer killed with <code>kill -9</code> between its segment PUT and HEAD CAS, then restarted. Directory <code>${crash.dir || '.'}</code>. Download: ${link(href(from, from.replace(/index\.html$/, 'crash.json')), 'crash.json')}.</p>
${kv(Object.entries(crash.report).map(([k, v]) => [k, typeof v === 'object' && v !== null ? html`<pre>${JSON.stringify(v, null, 2)}</pre>` : str(v)]))}`;
  return { path: from, html: page({ title: `Crash experiment: ${crash.name}`, root: rootOf(from), body }) };
}

// ---------------------------------------------------------------------------------------------
// Compare

function headline(s: SweepView): [string, Safe | string][] {
  const rows = s.rows;
  const sum = (c: string) => rows.reduce((n, r) => n + (num(r[c]) ?? 0), 0);
  const txns = sum('write_txns');
  const failed = txns - sum('commits');
  const byRate = [...rows].filter((r) => num(r.txn_failure_rate) !== undefined).sort((a, b) => (num(a.txn_failure_rate) ?? 0) - (num(b.txn_failure_rate) ?? 0));
  const best = byRate[0];
  const worst = byRate[byRate.length - 1];
  const tps = rows.map((r) => num(r.write_tps)).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  const median = tps.length === 0 ? undefined : tps[Math.floor(tps.length / 2)];
  const show = (r: Row | undefined) => (r === undefined ? '' : `${rateWithInterval(r.txn_failure_rate, r.txn_failure_rate_lo, r.txn_failure_rate_hi)} — ${str(r.config_id)} (${axisLabel(s, r)})`);
  return [
    ['configurations', String(rows.length)],
    ['runs', String(s.configs.reduce((n, c) => n + c.runs.length, 0))],
    ['axes', s.axes.join(', ') || 'none'],
    ['write transactions', String(txns)],
    ['txn failure rate, all pooled [95 % CI]', txns === 0 ? '' : (({ value, lo, hi }) => `${rateWithInterval(value, lo, hi)} (n = ${txns})`)(wilson(failed, txns))],
    ['lowest txn failure rate', show(best)],
    ['highest txn failure rate', show(worst)],
    ['median write TPS over configurations', median === undefined ? '' : fixed(median, 3)],
    ['configurations with anomalies', String(rows.filter((r) => truthy(r.isolation_valid) === false).length)],
  ];
}

/** A sweep's first drawn panel (a one-configuration sweep's first panels are notes). */
const firstChart = (s: SweepView) => [s.figures.find((f) => f.note === undefined) ?? s.figures[0]].filter((f) => f !== undefined);

export function comparePages(data: SiteData): Page[] {
  const byDir = new Map(data.sweeps.map((s) => [s.dir, s]));
  const pairs = data.compare.filter(([a, b]) => byDir.has(a) && byDir.has(b));
  const pages: Page[] = pairs.map(([a, b]) => {
    const [sa, sb] = [byDir.get(a) as SweepView, byDir.get(b) as SweepView];
    const from = comparePage(a, b);
    const [ha, hb] = [headline(sa), headline(sb)];
    const body = html`${crumbs(from, [
      [INDEX, 'results'],
      [COMPARE_INDEX, 'compare'],
    ])}
<p>Headline metrics of two sweeps side by side. Rates carry 95 % Wilson intervals; where intervals overlap, the data cannot tell the two apart.</p>
${table(
  [
    { head: 'metric', cell: (i: number) => ha[i]?.[0] ?? '' },
    { head: sa.name, cell: (i: number) => ha[i]?.[1] ?? '' },
    { head: sb.name, cell: (i: number) => hb[i]?.[1] ?? '' },
  ],
  ha.map((_, i) => i),
  { sortable: false },
)}
<div class="columns"><section aria-label="${sa.name}"><h2>${link(href(from, sweepPage(sa.dir)), sa.name)}</h2>${figures(firstChart(sa), 'a')}</section>
<section aria-label="${sb.name}"><h2>${link(href(from, sweepPage(sb.dir)), sb.name)}</h2>${figures(firstChart(sb), 'b')}</section></div>`;
    return { path: from, html: page({ title: `${sa.name} vs ${sb.name}`, root: rootOf(from), body }) };
  });
  const from = COMPARE_INDEX;
  const body = html`${crumbs(from, [[INDEX, 'results']])}
${
  pairs.length === 0
    ? html`<p>Comparing needs two sweeps; these results hold ${data.sweeps.length === 1 ? 'one' : 'none'}.</p>`
    : html`<ul>${pairs.map(([a, b]) => html`<li>${link(href(from, comparePage(a, b)), `${byDir.get(a)?.name} vs ${byDir.get(b)?.name}`)} <span class="muted">(${a} and ${b})</span></li>`)}</ul>`
}`;
  return [{ path: from, html: page({ title: 'Compare', root: rootOf(from), body }) }, ...pages];
}

