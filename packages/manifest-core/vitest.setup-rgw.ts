/**
 * Global setup: start the project's throwaway Ceph RGW (scripts/rgw/start.sh — idempotent,
 * installs it if missing) for the S3 tests, and stop it by PID afterwards if we started it.
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

const ROOT = new URL('../../', import.meta.url).pathname;

export default function setup(project: TestProject) {
  const out = execFileSync('bash', [`${ROOT}scripts/rgw/start.sh`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const env = Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
  project.provide('rgwEndpoint', env.MANIFEST_LAB_S3_ENDPOINT as string);
  return () => {
    if (process.env.MANIFEST_LAB_KEEP_RGW === undefined) execFileSync('bash', [`${ROOT}scripts/rgw/stop.sh`], { stdio: 'inherit' });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    rgwEndpoint: string;
  }
}
