#!/usr/bin/env node
// Thin shim: check the Node version, then start the built CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(
    `manifest-lab needs Node.js 20.19 or newer; this is ${process.versions.node}. Install a current Node.js 20 or 22 and run it again.\n`,
  );
  process.exit(2);
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2));
