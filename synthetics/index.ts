/** The synthetics package: the flow model, validation, loading, the runner and its tracing, and the built-in flows. */
export * from "./src/index.js";
export * from "./flows/index.js";
export * from "./src/runner.js";
export * from "./src/template.js";
export * from "./src/tracing.js";
export * from "./src/types.js";
