/**
 * The test kit: what test/, the packages' own tests and bench/ share — starting the stack and its parts, waiting for
 * them, free ports, statistics, the Grafana query emulator, the import graph. Never part of the product build
 * (tsconfig.build.json leaves it out).
 */
export * from "./import-graph.js";
