import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'report-site',
    include: ['src/**/*.test.ts'],
    // The browser tests generate small results with the runner's CLI, build a site from them and
    // open every page in Chromium (installed by the project's script if missing).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['../../scripts/chromium/vitest-setup.ts'],
  },
});
