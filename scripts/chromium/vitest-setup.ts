/**
 * Global setup for the report site's browser tests: make sure Chromium is installed
 * (scripts/chromium/ensure.sh installs Debian's package with apt when it is missing) and hand its
 * path to the tests.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const ENSURE = fileURLToPath(new URL('./ensure.sh', import.meta.url));

export default function setup(project: TestProject) {
  const path = execFileSync('bash', [ENSURE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  project.provide('chromiumPath', path);
}

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumPath: string;
  }
}
