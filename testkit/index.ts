/**
 * The test kit: what test/, the packages' own tests and bench/ share — starting the stack and its parts, waiting for
 * them, free ports, statistics, the Grafana query emulator, the import graph. Never part of the product build
 * (tsconfig.build.json leaves it out).
 */
export * from "./import-graph.js";
export * from "./alert-scenarios.js";
export * from "./grafana/grafana.js";
export * from "./grafana/model.js";
export * from "./grafana/runner.js";
export * from "./grafana/schema.js";
export * from "./partial-stack.js";
export * from "./ports.js";
export * from "./stack.js";
export * from "./stats.js";
export * from "./suite.js";
export * from "./telemetrygen.js";
export * from "./transpile.js";
export { exportedTraceSource } from "./trace-source.js";
