// Values the global test setup (scripts/rgw/vitest-setup.ts) provides to tests via inject().
declare module 'vitest' {
  export interface ProvidedContext {
    rgwEndpoint: string;
  }
}
export {};
