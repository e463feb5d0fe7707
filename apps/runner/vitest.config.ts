import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'runner',
    include: ['src/**/*.test.ts'],
    // CLI tests spawn the built binary and run small sweeps; the S3 ones use a real Ceph RGW
    // on 127.0.0.1 started by the project's script.
    testTimeout: 60_000,
    globalSetup: ['../../scripts/rgw/vitest-setup.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
