import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'runner',
    include: ['src/**/*.test.ts'],
    // CLI tests spawn the built binary and run small sweeps.
    testTimeout: 60_000,
  },
});
