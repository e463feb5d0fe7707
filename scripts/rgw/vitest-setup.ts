/**
 * Global setup for the S3 tests: use the Ceph RGW named by MANIFEST_LAB_S3_ENDPOINT (as
 * `pnpm test` provides through scripts/rgw/with-rgw.sh), or start the project's throwaway one
 * (scripts/rgw/start.sh — idempotent, installs it if missing) and stop it by PID afterwards.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const SCRIPTS = fileURLToPath(new URL('./', import.meta.url));

export default function setup(project: TestProject) {
  let started = false;
  if (process.env.MANIFEST_LAB_S3_ENDPOINT === undefined) {
    const out = execFileSync('bash', [`${SCRIPTS}start.sh`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const env = Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]));
    Object.assign(process.env, env);
    started = env.MANIFEST_LAB_RGW_STARTED === '1';
  }
  project.provide('rgwEndpoint', process.env.MANIFEST_LAB_S3_ENDPOINT as string);
  return () => {
    if (started && process.env.MANIFEST_LAB_KEEP_RGW === undefined) execFileSync('bash', [`${SCRIPTS}stop.sh`], { stdio: 'inherit' });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    rgwEndpoint: string;
  }
}
