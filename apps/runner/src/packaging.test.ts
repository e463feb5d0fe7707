/**
 * Publishing: every publishable package packs, passes publint and attw, installs from its tarball
 * into a scratch project, imports from ESM and type-checks in a consumer — as a user would get it.
 *
 * The install is offline and registry-free: the scratch project gets a lockfile derived from the
 * workspace's (its third-party entries verbatim, plus one entry per tarball), so pnpm needs no
 * registry metadata, and every package comes from the workspace's store. The registry is set to a
 * closed port on 127.0.0.1, so any attempt to fetch fails the test.
 * turbo.json makes this test depend on the build of every package packed here.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = (name: string) => join(ROOT, 'node_modules', '.bin', name);
const DEAD_REGISTRY = 'http://127.0.0.1:9/';

/** What ships: every packages/* and apps/* not marked private. The list is pinned on purpose. */
const PUBLISHED = [
  '@manifest-lab/chaos',
  '@manifest-lab/manifest-core',
  '@manifest-lab/report',
  '@manifest-lab/runner',
  '@manifest-lab/verify',
  '@manifest-lab/workload',
];

interface Pkg {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  /** `file:tarballs/<name>.tgz`, relative to the scratch project. */
  spec: string;
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function ok(r: ReturnType<typeof run>, what: string): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.out}`);
  return r.out;
}

function workspacePackages(): Pkg[] {
  const found: Pkg[] = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(ROOT, group)).sort()) {
      const manifest = JSON.parse(readFileSync(join(ROOT, group, name, 'package.json'), 'utf8'));
      if (manifest.private !== true) found.push({ dir: `${group}/${name}`, name: manifest.name, version: manifest.version, spec: '' });
    }
  }
  return found;
}

/** A top-level block of a lockfile document, e.g. `overrides:` → its indented lines. */
function block(doc: string, key: string): string[] {
  const lines = doc.split('\n');
  const start = lines.indexOf(`${key}:`);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l.trim() !== '');
}

/** The main document of the workspace lockfile (the first, if several, is pnpm's env lockfile). */
function workspaceLockfile(): string {
  const docs = readFileSync(join(ROOT, 'pnpm-lock.yaml'), 'utf8').split(/^---$/m);
  return docs[docs.length - 1] as string;
}

/** One section of one importer's resolved dependencies: name → lockfile version. */
function importerDeps(doc: string, dir: string, section = 'dependencies'): Map<string, string> {
  const lines = block(doc, 'importers');
  const deps = new Map<string, string>();
  let inImporter = false;
  let inDeps = false;
  let name = '';
  for (const l of lines) {
    if (/^ {2}\S/.test(l)) inImporter = l === `  ${dir}:`;
    else if (inImporter && /^ {4}\S/.test(l)) inDeps = l === `    ${section}:`;
    else if (inImporter && inDeps) {
      const dep = /^ {6}'?([^']+?)'?:$/.exec(l);
      const version = /^ {8}version: (.+)$/.exec(l);
      if (dep) name = dep[1] as string;
      else if (version) deps.set(name, version[1] as string);
    }
  }
  return deps;
}

const q = (s: string) => `'${s}'`;

/** The scratch project's lockfile: the workspace's packages and snapshots, plus the tarballs. */
function scratchLockfile(pkgs: readonly Pkg[], tarballs: string): { lockfile: string; overrides: Map<string, string> } {
  const doc = workspaceLockfile();
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  // The tarballs depend on each other by version (pnpm pack rewrote workspace:*): pin those to the tarballs.
  const overrides = new Map<string, string>([
    ...block(doc, 'overrides').map((l) => {
      const m = /^ {2}'?([^']+?)'?: (.+)$/.exec(l);
      if (!m) throw new Error(`unexpected lockfile override line: ${l}`);
      return [m[1] as string, m[2] as string] as const;
    }),
    ...pkgs.map((p) => [p.name, p.spec] as const),
  ]);
  const sorted = [...overrides].sort(([a], [b]) => a.localeCompare(b));
  const out: string[] = [
    "lockfileVersion: '9.0'",
    '',
    'settings:',
    ...block(doc, 'settings'),
    '',
    'overrides:',
    ...sorted.map(([k, v]) => `  ${q(k)}: ${v}`),
    '',
    'importers:',
    '',
    '  .:',
    '    dependencies:',
    ...pkgs.flatMap((p) => [`      ${q(p.name)}:`, `        specifier: ${p.spec}`, `        version: ${p.spec}`]),
    '    devDependencies:',
    ...[...importerDeps(doc, '.', 'devDependencies')].filter(([n]) => n === '@types/node').flatMap(([n, v]) => [`      ${q(n)}:`, `        specifier: ${v}`, `        version: ${v}`]),
    '',
    'packages:',
    '',
  ];
  for (const p of pkgs) {
    const file = join(tarballs, p.spec.slice('file:tarballs/'.length));
    const integrity = `sha512-${createHash('sha512').update(new Uint8Array(readFileSync(file))).digest('base64')}`;
    out.push(`  ${q(`${p.name}@${p.spec}`)}:`, `    resolution: {integrity: ${integrity}, tarball: ${p.spec}}`, `    version: ${p.version}`, '');
  }
  out.push(...block(doc, 'packages').flatMap((l) => (/^ {2}\S/.test(l) ? ['', l] : [l])), '', 'snapshots:', '');
  for (const p of pkgs) {
    const deps = [...importerDeps(doc, p.dir)].map(([n, v]) => {
      if (!v.startsWith('link:')) return `      ${q(n)}: ${v}`;
      const target = byName.get(n);
      if (!target) throw new Error(`${p.name} depends on unpublished workspace package ${n}`);
      return `      ${q(n)}: ${target.spec}`;
    });
    out.push(`  ${q(`${p.name}@${p.spec}`)}:${deps.length ? '' : ' {}'}`, ...(deps.length ? ['    dependencies:', ...deps] : []), '');
  }
  out.push(...block(doc, 'snapshots').flatMap((l) => (/^ {2}\S/.test(l) ? ['', l] : [l])), '');
  return { lockfile: out.join('\n'), overrides: new Map(sorted) };
}

const SMOKE = `
import { Manifest, MemoryObjectStore, SeededRandom, VirtualClock } from '@manifest-lab/manifest-core';
import { KeyPool } from '@manifest-lab/workload';
import { checkHistory, pairHistory, syntheticListAppend } from '@manifest-lab/verify';
import { SCENARIO_NAMES } from '@manifest-lab/chaos';
import { wilson } from '@manifest-lab/report';
import { toCsv } from '@manifest-lab/runner';

const clock = new VirtualClock();
const store = new MemoryObjectStore();
const manifest = new Manifest({ store, clock, prefix: 'smoke' });
const { read, t } = await clock.run(async () => {
  const writer = await manifest.sessionWrite();
  writer.put('greeting', 'hello');
  await writer.commit();
  const reader = await manifest.sessionRead();
  try {
    return { read: await reader.get('greeting'), t: clock.now() };
  } finally {
    await reader.end();
  }
});
console.log(JSON.stringify({
  read,
  virtualTime: typeof t === 'number',
  objects: store.dump().length > 0,
  keys: new KeyPool(2, 3, 1, 0.5).privateKeys(1).length,
  valid: checkHistory(pairHistory([...syntheticListAppend(new SeededRandom(1), { txns: 20 })])).valid,
  scenarios: SCENARIO_NAMES.length > 0,
  wilson: wilson(5, 10).value,
  csv: toCsv(['a'], [[1]]),
}));
`;

const CONSUMER = `
import { Manifest, MemoryObjectStore, VirtualClock, type ManifestOptions } from '@manifest-lab/manifest-core';
import { KeyPool } from '@manifest-lab/workload';
import { checkHistory, parseHistory, type CheckResult } from '@manifest-lab/verify';
import { scenario, type Scenario } from '@manifest-lab/chaos';
import { wilson, type Proportion } from '@manifest-lab/report';
import { main, toCsv } from '@manifest-lab/runner';

const options: ManifestOptions = { store: new MemoryObjectStore(), clock: new VirtualClock() };
export const manifest = new Manifest(options);
export const pool: KeyPool = new KeyPool(2, 3, 1, 0.5);
export const result: CheckResult = checkHistory(parseHistory(''));
export const pick: (name: string) => Scenario | undefined = scenario;
export const p: Proportion = wilson(1, 2);
export const csv: string = toCsv(['a'], [[1]]);
export const cli: typeof main = main;
// The types are real, not any: a wrong argument must be an error.
// @ts-expect-error wilson takes counts
wilson('one', 2);
`;

describe('publishing', () => {
  const work = mkdtempSync(join(tmpdir(), 'manifest-lab-packaging-'));
  const scratch = join(work, 'scratch');
  const tarballs = join(scratch, 'tarballs');
  const pkgs = workspacePackages();
  let checks = '';

  beforeAll(() => {
    mkdirSync(tarballs, { recursive: true });
    // Packs every publishable package into tarballs/ and runs publint and attw on each tarball.
    const check = run(process.execPath, [join(ROOT, 'scripts', 'check-packages.js'), '--out', tarballs], ROOT);
    checks = check.out;
    if (check.code !== 0) return; // reported by the first test; the rest fail on missing tarballs
    for (const p of pkgs) p.spec = `file:tarballs/${p.name.replace(/^@/, '').replace('/', '-')}-${p.version}.tgz`;
    const { lockfile, overrides } = scratchLockfile(pkgs, tarballs);
    writeFileSync(join(scratch, 'pnpm-lock.yaml'), lockfile);
    writeFileSync(join(scratch, 'pnpm-workspace.yaml'), `overrides:\n${[...overrides].map(([k, v]) => `  ${q(k)}: ${q(v.replace(/^'|'$/g, ''))}`).join('\n')}\n`);
    const typesNode = importerDeps(workspaceLockfile(), '.', 'devDependencies').get('@types/node');
    const manifest = {
      name: 'scratch-consumer',
      private: true,
      type: 'module',
      dependencies: Object.fromEntries(pkgs.map((p) => [p.name, p.spec])),
      devDependencies: { '@types/node': typesNode },
    };
    writeFileSync(join(scratch, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const store = ok(run('pnpm', ['store', 'path'], ROOT), 'pnpm store path').trim().split('\n').at(-1) as string;
    // An empty cache dir: nothing but the lockfile and the store may feed the install.
    const env = { ...process.env, XDG_CACHE_HOME: join(work, 'cache'), npm_config_registry: DEAD_REGISTRY };
    ok(
      run(
        'pnpm',
        // --trust-lockfile: the supply-chain check needs registry metadata; every third-party entry
        // is copied from the workspace lockfile, which `pnpm install` already verified.
        ['install', '--frozen-lockfile', '--offline', '--trust-lockfile', '--registry', DEAD_REGISTRY, '--store-dir', store, '--reporter', 'append-only'],
        scratch,
        env,
      ),
      'offline install of the tarballs',
    );
  }, 120_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('publishes exactly the non-private packages, and publint and attw pass on each tarball', () => {
    expect(pkgs.map((p) => p.name).sort()).toEqual(PUBLISHED);
    expect(checks).not.toMatch(/^FAIL/m);
    for (const name of PUBLISHED) {
      expect(checks).toContain(`ok   publint ${name}`);
      expect(checks).toContain(`ok   attw ${name}`);
    }
  });

  it('rewrites workspace: dependencies to versions and ships only dist, src (for the source maps), bin, README and package.json', () => {
    for (const p of pkgs) {
      const installed = join(scratch, 'node_modules', p.name);
      const packed = readFileSync(join(installed, 'package.json'), 'utf8');
      expect(packed, p.name).not.toContain('workspace:');
      for (const [dep, range] of Object.entries<string>(JSON.parse(packed).dependencies ?? {})) {
        const internal = pkgs.find((w) => w.name === dep);
        if (internal) expect(range, `${p.name} → ${dep}`).toBe(internal.version);
      }
      expect(readdirSync(installed).sort(), p.name).toEqual(expect.arrayContaining(['dist', 'package.json']));
      for (const entry of readdirSync(installed)) expect(['README.md', 'bin', 'dist', 'package.json', 'src'], `${p.name}: ${entry}`).toContain(entry);
      for (const dir of ['dist', 'src']) {
        const files = readdirSync(join(installed, dir), { recursive: true }).map(String);
        expect(files.filter((f) => /\.test[.-]|\.tsbuildinfo$/.test(f)), `${p.name} ${dir}`).toEqual([]);
      }
    }
  });

  it('imports every package from ESM and commits and reads a manifest in virtual time', () => {
    writeFileSync(join(scratch, 'smoke.mjs'), SMOKE);
    const out = ok(run(process.execPath, ['smoke.mjs'], scratch), 'ESM smoke script');
    expect(JSON.parse(out.trim().split('\n').at(-1) as string)).toEqual({
      read: 'hello',
      virtualTime: true,
      objects: true,
      keys: 3,
      valid: true,
      scenarios: true,
      wilson: 0.5,
      csv: 'a\n1\n',
    });
  });

  it('runs the packed CLI', () => {
    const out = ok(run(process.execPath, [join(scratch, 'node_modules/@manifest-lab/runner/bin/manifest-lab.js'), '--version'], scratch), 'manifest-lab --version');
    expect(out.trim()).toBe(pkgs.find((p) => p.name === '@manifest-lab/runner')?.version);
  });

  it('type-checks a consumer with moduleResolution nodenext', () => {
    writeFileSync(join(scratch, 'consumer.ts'), CONSUMER);
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: ['node'],
        strict: true,
        noEmit: true,
        // As a consumer would: some dependencies' .d.ts (arquero, @types/node 20 under TS 7) fail a full lib check.
        skipLibCheck: true,
      },
      files: ['consumer.ts'],
    };
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    ok(run(BIN('tsc'), ['-p', 'tsconfig.json'], scratch), 'tsc on the consumer');
  });
});
