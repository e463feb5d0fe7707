import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'manifest-core',
    include: ['src/**/*.test.ts'],
  },
});
