import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // CI runs every package's tests at once on two cores: 5 s (vitest's default) is too tight.
    testTimeout: 30_000,
    name: 'manifest-core',
    include: ['src/**/*.test.ts'],
    // S3 tests run against a real Ceph RGW on 127.0.0.1, started by the project's script.
    globalSetup: ['../../scripts/rgw/vitest-setup.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
