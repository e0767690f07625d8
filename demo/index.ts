/** The demo services' shared parts other folders use: settings, the model catalogue, the load generator and its PII. */
export * from "./loadgen/loadgen.js";
export * from "./loadgen/pii.js";
export * from "./shared/models.js";
