import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // CI runs every package's tests at once on two cores: 5 s (vitest's default) is too tight.
    testTimeout: 30_000,
    name: 'verify',
    include: ['src/**/*.test.ts'],
  },
});
