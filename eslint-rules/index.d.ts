// Types of the local lint plugin (index.js), for testkit/architecture.test.ts.
import type { ESLint } from "eslint";

declare const plugin: ESLint.Plugin;
export default plugin;
