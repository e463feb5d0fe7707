import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigView, OverlapAnswer, Row, SiteData, SweepView } from './model.js';
import { renderPages, siteCopies } from './site.js';

const EVIL = '<script>alert("pwned")</script>&\'';

function sweep(dir: string, name: string, role: SweepView['role'] = 'sweep', parent?: string): SweepView {
  const row = (id: string, rate: number): Row => ({
    config_id: id,
    key_overlap_ratio: rate,
    replicas: 2,
    write_txns: 40,
    write_attempts: 50,
    commits: 30,
    txn_failure_rate: rate,
    txn_failure_rate_lo: rate / 2,
    txn_failure_rate_hi: Math.min(1, rate * 2),
    precondition_failure_rate: 0.1,
    precondition_failure_rate_lo: 0.05,
    precondition_failure_rate_hi: 0.2,
    top_failure_class: EVIL,
    fail_conflict: 7,
    fail_lease_race: 3,
    write_tps: 1.5,
    write_p99_ms: 900,
    write_p99_ms_flag: 'fewer than 100 samples (40)',
    isolation_valid: id.endsWith('1') ? 'false' : 'true',
    anomaly_types: id.endsWith('1') ? 'G-single' : '',
  });
  const config = (id: string, rate: number): ConfigView => ({
    id,
    dir: `/r/${dir}/${id}`,
    row: row(id, rate),
    config: { num_writers: 2, retry_backoff: EVIL },
    runs: [
      {
        id: 'r000',
        files: { run: `/r/${dir}/${id}/r000/run.json`, history: `/r/${dir}/${id}/r000/history.jsonl`, verify: `/r/${dir}/${id}/r000/verify.json` },
        run: { seed: 1, isolation: { valid: false, anomaly_types: ['G-single'] } },
        verify: {
          blackBox: {
            anomalies: {
              'G-single': [
                {
                  type: 'G-single',
                  explanation: `G-single cycle of 2 transactions: T1 -rw-> T2, T2 -wr-> T1. x. Where T1 = ${EVIL}; T2 = y.`,
                  cycle: ['T1 -rw-> T2', 'T2 -wr-> T1'],
                  steps: ['T1 < T2 because T1 read x before T2 appended 3', `T2 < T1 because ${EVIL}`],
                },
              ],
            },
          },
        },
      },
    ],
    charts: [{ id: 'latency', title: EVIL, svg: '<svg onload="evil()"><g aria-label="dot"><circle r="2"/></g><script>evil()</script></svg>' }],
  });
  const configs = [config('000-a', 0.05), config('001-b', 0.5)];
  return {
    name,
    dir,
    path: `/r/${dir}`,
    axes: ['key_overlap_ratio'],
    rows: configs.map((c) => c.row),
    configs,
    figures: [{ id: 'grid', title: 'Grid', svg: '<svg><g aria-label="line"><path d="M0,0L1,1"/></g></svg>' }],
    role,
    ...(parent === undefined ? {} : { parent }),
  };
}

const DATA: SiteData = {
  results: '/r',
  sweeps: [sweep('baseline', EVIL), sweep('odd name/with space', 'odd'), sweep('chaos/latency-100', 'latency-100', 'chaos-scenario', 'chaos')],
  chaos: [
    {
      name: 'chaos',
      dir: 'chaos',
      path: '/r/chaos',
      rows: [{ scenario: 'latency-100', write_txns: 10, txn_failure_rate: 0.5, txn_failure_rate_lo: 0.2, txn_failure_rate_hi: 0.8, txn_failure_rate_delta_pp: 20 }],
      scenarios: [{ name: 'latency-100', sweep: 'chaos/latency-100' }],
      figures: [],
      degradation: [{ scenario: 'latency-100', value: 0.2, lo: -0.1, hi: 0.5 }],
    },
  ],
  hazards: [
    {
      name: 'hazards',
      dir: 'hazards',
      path: '/r/hazards',
      rows: [{ hazard: 'lost-head-cas', section: '6.1', runs: 2, reproduced: 2, reproduced_rate: 1, reproduced_rate_lo: 0.34, reproduced_rate_hi: 1, replay_seed: 42, evidence: EVIL, run: '000-x/r000' }],
      hazards: [{ name: 'lost-head-cas', sweep: 'hazards/lost-head-cas' }],
    },
  ],
  crashes: [{ name: 'crash', dir: 'crash', path: '/r/crash', report: { schema: 'manifest-lab/crash@1', verdict: EVIL, kill: { pid: 1, note: EVIL } } }],
  skipped: [{ dir: 'half', reason: EVIL }],
  overlap: [
    {
      sweep: 'baseline',
      metric: 'txn_failure_rate',
      low: { overlap: 0, configs: 1, k: 2, n: 40, value: 0.05, lo: 0.01, hi: 0.17 },
      high: { overlap: 0.5, configs: 1, k: 20, n: 40, value: 0.5, lo: 0.35, hi: 0.65 },
      difference: { value: 0.45, lo: 0.3, hi: 0.6 },
      matched: true,
      verdict: 'higher overlap, higher rate',
    },
  ],
  threshold: [
    {
      sweep: 'baseline',
      threshold: 0.1,
      total: 2,
      below: [{ id: '000-a', label: 'key_overlap_ratio=0', k: 2, n: 40, value: 0.05, lo: 0.01, hi: 0.09 }],
      maybe: [],
    },
  ],
  compare: [['baseline', 'odd name/with space']],
};

describe('renderPages', () => {
  const pages = renderPages(DATA);
  const files = new Set([...pages.map((p) => p.path), ...siteCopies(DATA).map(([, to]) => to)]);

  it('renders every page kind', () => {
    const paths = pages.map((p) => p.path);
    expect(paths[0]).toBe('index.html');
    expect(paths).toContain('sweeps/baseline/index.html');
    expect(paths).toContain('sweeps/baseline/000-a/index.html');
    expect(paths).toContain('chaos/chaos/index.html');
    expect(paths).toContain('hazards/hazards/index.html');
    expect(paths).toContain('compare/index.html');
    expect(paths).toContain('crash/crash/index.html');
    expect(paths.some((p) => /^compare\/.+--.+\.html$/.test(p))).toBe(true);
  });

  it('escapes every string from the results and keeps chart SVG inert', () => {
    for (const p of pages) {
      expect(p.html, p.path).not.toContain('<script>alert');
      expect(p.html, p.path).not.toContain('onload=');
      expect(p.html, p.path).not.toContain('evil()</script>');
      // Only the page's own sorting script.
      expect(p.html.match(/<script>/g)?.length ?? 0, p.path).toBeLessThanOrEqual(1);
    }
  });

  it('links only relatively, and every link lands on a page or a copied file', () => {
    for (const p of pages) {
      for (const [, h] of p.html.matchAll(/href="([^"]*)"/g)) {
        const target = (h as string).replaceAll('&amp;', '&');
        if (target === 'data:,') continue; // the empty favicon, so browsers request nothing
        expect(target, `${p.path}: ${target}`).not.toMatch(/^([a-z][a-z0-9+.-]*:|\/)/i);
        const resolved = posix.normalize(posix.join(posix.dirname(p.path), target.split('#')[0] as string));
        expect(files.has(resolved), `${p.path} → ${target} (${resolved})`).toBe(true);
      }
    }
  });

  it('answers the front page questions from the data', () => {
    const index = pages[0]!.html;
    expect(index).toContain('Does key overlap matter?');
    expect(index).toContain('+45.0 pp');
    expect(index).toContain('[+30.0 pp to +60.0 pp]');
    expect(index).toContain('higher overlap, higher rate');
    expect(index).toContain('Which configurations keep the failure rate under 10 %?');
    expect(index).toContain('5.0% [1.0%–9.0%]');
  });

  it('explains a cycle edge by edge on the configuration page', () => {
    const config = pages.find((p) => p.path === 'sweeps/baseline/001-b/index.html')!.html;
    expect(config).toContain('<code>T1 -rw-&gt; T2</code> — T1 &lt; T2 because T1 read x before T2 appended 3');
    expect(config).toContain('<code>T2 -wr-&gt; T1</code>');
  });

  it('shows rates with their intervals and sample sizes in the sweep table', () => {
    const s = pages.find((p) => p.path === 'sweeps/baseline/index.html')!.html;
    expect(s).toContain('50.0% [25.0%–100.0%]');
    expect(s).toMatch(/data-sort="40"/);
  });
});

describe('profiles side by side', () => {
  const overlap = DATA.overlap[0] as OverlapAnswer;
  const { sweep: _sweep, ...effect } = overlap;
  const withProfiles: SiteData = {
    ...DATA,
    profiles: [
      {
        sweep: 'baseline',
        profiles: [
          { profile: 'fusio-0.5', configs: 2, overlap: effect, overlapPerAttempt: effect, requestsPerCommit: 12.34, writeP99MedianMs: 800, writeP99MaxMs: 1200 },
          { profile: 'strict', configs: 2, overlap: null, overlapPerAttempt: null, requestsPerCommit: null, writeP99MedianMs: null, writeP99MaxMs: null },
        ],
      },
    ],
    hazardsByProfile: {
      profiles: ['fusio-0.5', 'strict'],
      rows: [
        {
          hazard: 'lost-head-cas',
          section: '6.1',
          cells: { 'fusio-0.5': { reproduced: 2, runs: 2, anomalyTypes: ['G1a', EVIL], dir: 'hazards' }, strict: { reproduced: 0, runs: 2, anomalyTypes: [], dir: 'hazards' } },
        },
      ],
    },
  };

  it('shows per profile the overlap effect, requests per commit, write p99, and hazards k/n with anomaly classes', () => {
    const index = renderPages(withProfiles).find((p) => p.path === 'index.html')?.html ?? '';
    const section = index.slice(index.indexOf('id="profiles"'), index.indexOf('id="threshold"'));
    expect(section).toContain('fusio-0.5');
    expect(section).toContain('+45.0 pp');
    expect(section).toContain('conflicts per attempt, high − low overlap');
    expect(section.split('+45.0 pp').length - 1).toBe(2); // per transaction and per attempt
    expect(section).toContain('12.3');
    expect(section).toContain('800 / 1200');
    const hazards = index.slice(index.indexOf('id="hazards-by-profile"'));
    expect(hazards).toMatch(/>2\/2<\/a>/);
    expect(hazards).toMatch(/>0\/2<\/a>/);
    expect(hazards).toContain('G1a');
    expect(hazards).not.toContain('<script>alert');
  });

  it('shows neither section without profile data', () => {
    const index = renderPages(DATA).find((p) => p.path === 'index.html')?.html ?? '';
    expect(index).not.toContain('id="profiles"');
    expect(index).not.toContain('id="hazards-by-profile"');
  });
});
