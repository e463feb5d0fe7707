#!/usr/bin/env node
// Thin shim: check the Node version, then start the built CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(
    `manifest-lab-report needs Node.js 20.19 or newer; this is ${process.versions.node}. Install a current Node.js 20 or 22 and run it again.\n`,
  );
  process.exit(2);
}
const cli = new URL('../dist/cli.js', import.meta.url);
const { existsSync } = await import('node:fs');
if (!existsSync(cli)) {
  process.stderr.write(
    'manifest-lab-report is not built (apps/report/dist/cli.js is missing). Build it with `pnpm turbo run build --filter=@manifest-lab/report-site` and run it again.\n',
  );
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
