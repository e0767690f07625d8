/**
 * What every Lookout package may use: the named errors the CLI prints (errors.ts) and where Lookout keeps things —
 * the repository root, LOOKOUT_HOME and LOOKOUT_CACHE (paths.ts). A leaf: it imports nothing of Lookout's.
 */
export * from "./errors.js";
export * from "./paths.js";
