#!/usr/bin/env node
// Packs every publishable (non-private) workspace package with `pnpm pack` and validates each
// tarball with publint (--strict) and @arethetypeswrong/cli (--profile esm-only: the packages are
// ESM-only, so the CommonJS/node10 resolutions are out of scope), and checks that every source map
// in a tarball (.js.map, .d.ts.map) names sources the tarball ships. Needs built packages: run
// `pnpm build` first. Usage: node scripts/check-packages.js [--out <dir>] (default: a temp dir,
// removed afterwards). Exits 1 if any check fails. Reads only local files; no registry access.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');

/** The workspace packages that are published: every packages/* and apps/* not marked private. */
function publishablePackages() {
  const found = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const dir = join(group, name);
      let manifest;
      try {
        manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (manifest.private !== true) found.push({ dir, name: manifest.name, version: manifest.version });
    }
  }
  return found;
}

/** `pnpm pack`'s file name for a package: `@scope/name` → `scope-name-<version>.tgz`. */
function tarballName(pkg) {
  return `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
}

async function check(label, file, args) {
  try {
    await run(file, args, { cwd: root, maxBuffer: 16 << 20 });
    return { label, ok: true, output: '' };
  } catch (error) {
    return { label, ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` };
  }
}

/**
 * attw in this process: the CLI spends ~1.5 s of CPU per run loading itself and TypeScript, so
 * the tarballs are analysed here with the CLI's own engine and exit-code rule, and the CLI is run
 * only on a failure, for its report.
 */
async function attwChecker() {
  const require = createRequire(join(root, 'package.json'));
  const load = (from, id) => import(pathToFileURL(createRequire(from).resolve(id)).href);
  const cliManifest = require.resolve('@arethetypeswrong/cli/package.json');
  const core = await load(cliManifest, '@arethetypeswrong/core');
  const { getExitCode } = await load(cliManifest, '@arethetypeswrong/cli/internal/getExitCode');
  const esmOnly = { ignoreResolutions: ['node10', 'node16-cjs'] }; // the CLI's `--profile esm-only`
  return async (label, tgz) => {
    const analysis = await core.checkPackage(core.createPackageFromTarballData(new Uint8Array(readFileSync(tgz))));
    if (analysis.types && getExitCode(analysis, esmOnly) === 0) return { label, ok: true, output: '' };
    const cli = await check(label, join(root, 'node_modules', '.bin', 'attw'), ['--profile', 'esm-only', '--no-color', '--no-emoji', tgz]);
    return { label, ok: false, output: analysis.types ? cli.output : `no types in ${tgz}\n${cli.output}` };
  };
}

/**
 * Every source map in the tarball points at sources inside it: a map whose `sources` are missing
 * sends "go to definition" in a consumer's editor to a file that does not exist.
 */
async function sourceMapCheck(label, tgz, scratch) {
  const dir = join(scratch, tarballName({ name: label, version: 'x' }).replace(/\.tgz$/, ''));
  mkdirSync(dir, { recursive: true });
  await run('tar', ['-xzf', tgz, '-C', dir]);
  const missing = [];
  let maps = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.map')) {
        maps++;
        const { sources = [], sourceRoot = '' } = JSON.parse(readFileSync(path, 'utf8'));
        for (const s of sources) {
          const target = resolve(dirname(path), sourceRoot, s);
          const inside = relative(dir, target);
          // A source outside the unpacked tarball would resolve on this machine only.
          if (isAbsolute(inside) || inside.startsWith('..') || !existsSync(target)) missing.push(`${relative(dir, path)} → ${inside}`);
        }
      }
    }
  };
  walk(dir);
  const ok = missing.length === 0;
  return { label: `source maps ${label} (${maps})`, ok, output: ok ? '' : `sources not in the tarball:\n  ${missing.slice(0, 10).join('\n  ')}${missing.length > 10 ? `\n  … ${missing.length - 10} more` : ''}` };
}

async function main(argv) {
  const outIndex = argv.indexOf('--out');
  const keep = outIndex >= 0;
  const out = keep ? resolve(argv[outIndex + 1]) : mkdtempSync(join(tmpdir(), 'manifest-lab-pack-'));
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  try {
    const packages = publishablePackages();
    // Sequential packs: cheap, and their output stays readable on failure.
    for (const pkg of packages) {
      await run('pnpm', ['pack', '--pack-destination', out], { cwd: join(root, pkg.dir) });
    }
    const attw = await attwChecker();
    const results = await Promise.all(
      packages.flatMap((pkg) => {
        const tgz = join(out, tarballName(pkg));
        return [
          check(`publint ${pkg.name}`, bin('publint'), ['run', '--strict', tgz]),
          attw(`attw ${pkg.name}`, tgz),
          sourceMapCheck(pkg.name, tgz, join(out, 'unpacked')),
        ];
      }),
    );
    for (const r of results) {
      console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.label}`);
      if (!r.ok) console.log(r.output.trimEnd());
    }
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    if (!keep) rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = await main(process.argv.slice(2));
}
