/** @type {import('jest').Config} */
module.exports = {
  // Node, with each test's stdout and warnings shown only when it fails (tests/helpers/quiet-environment.js).
  testEnvironment: "<rootDir>/tests/helpers/quiet-environment.js",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // Type checking is done once by `npm run typecheck`; ts-jest only transpiles each file on its own
  // (isolatedModules in tsconfig.jest.json), which keeps the suite fast on a 2-core machine.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.jest.json", diagnostics: false }] },
  testTimeout: 60000,
  // One worker per core: Jest's default (cores - 1) runs a 2-core machine's suite on one worker,
  // while many tests spend part of their time waiting on loopback servers and child processes.
  maxWorkers: "100%",
  // A program that imports the package by name (tests/fixtures/program/) gets this checkout's
  // source, as `npm start -- --program` gives it (local/runner.ts) and tsconfig.json's paths type it.
  moduleNameMapper: { "^identity-gateway$": "<rootDir>/infra/component/index.ts" },
};
