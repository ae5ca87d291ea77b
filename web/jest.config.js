/**
 * Unit tests of the web app's plain TypeScript (stores, merge and matching logic), run by jest
 * through swc like the API's. Pinia and a few of its dependencies ship ES modules only, so they
 * are compiled too. Store logic stays in .ts files so no SFC compiler is needed here.
 */
const swc = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/** @type {import('jest').Config} */
export default {
  rootDir: import.meta.dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(ts|m?js)$': ['@swc/jest', swc] },
  transformIgnorePatterns: ['/node_modules/(?!(pinia|nostics)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testTimeout: 10_000,
  maxWorkers: 2,
};
