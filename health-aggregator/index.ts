/**
 * The health aggregator's public surface for the CLI, tests and benchmarks: its config (parsed and validated once),
 * the app, the Aggregator, the storage (its interfaces and the SQLite implementation), the manual clock and the API
 * document generator. The process entry point is src/server.ts.
 */
export * from "./src/admin/jwt.js";
export * from "./src/aggregator.js";
export * from "./src/app.js";
export * from "./src/config.js";
export * from "./src/config/load.js";
export * from "./src/engine/manual-clock.js";
export * from "./src/openapi/document.js";
export * from "./src/store/database.js";
export * from "./src/store/histogram.js";
export * from "./src/store/storage.js";
export type * from "./src/store/types.js";
