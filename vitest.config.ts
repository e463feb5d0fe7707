import { defineConfig } from 'vitest/config';

// Root config: `pnpm exec vitest` from the root runs every package's tests as one project each.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
