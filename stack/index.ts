/**
 * The native stack runner's public surface: the components and their specs (components.ts, spec.ts), ports, secrets,
 * tools and their versions, the supervisor, set-up and config validation. Other folders import this file only.
 */
export * from "./components.js";
export * from "./helm.js";
export * from "./ports.js";
export * from "./python.js";
export * from "./readiness.js";
export * from "./render.js";
export * from "./samplers.js";
export * from "./secrets.js";
export * from "./setup.js";
export * from "./spec.js";
export * from "./stack.js";
export * from "./supervisor.js";
export * from "./tls.js";
export * from "./tools.js";
export * from "./validate.js";
export * from "./versions.js";
export * from "./web-auth.js";
