import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'workload',
    include: ['src/**/*.test.ts'],
  },
});
