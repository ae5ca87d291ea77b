/** Jest runs TypeScript through swc; decorator metadata is required by type-graphql and MikroORM. */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  setupFiles: ['reflect-metadata'],
  testTimeout: 30_000,
  maxWorkers: 2,
  // "A worker process has failed to exit gracefully" came from workers with no handle left open: on
  // a 2-core machine shared with other runs they took 0.5-2.9 s from jest's end message to their
  // exit (its delivery, then freeing a heap that grows by tens of MB per file, past 1 GB over a full
  // run). A worker past 512 MB of heap is replaced between files, and gets 3 s to end (jest's default
  // is 500 ms); one held by a real leak (a timer, a socket, a child process) is still warned about.
  workerIdleMemoryLimit: '512MB',
  workerGracefulExitTimeout: 3000,
};
