// Values the global test setup (scripts/chromium/vitest-setup.ts) provides to tests via inject().
declare module 'vitest' {
  export interface ProvidedContext {
    chromiumPath: string;
  }
}
export {};
