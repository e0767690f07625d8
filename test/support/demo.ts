/** Starts part of the native stack for a test (stack/partial.ts), compiling dist/ first as `npm start` does. */
import { type PartialStack, startPartialStack as start } from "../../stack/partial.js";
import { lookout } from "./stack.js";

export type { PartialStack };

export async function startPartialStack(names: readonly string[]): Promise<PartialStack> {
  const build = lookout(["ports"], { ...process.env });
  if (build.status !== 0) throw new Error(`compiling failed:\n${build.output}`);
  return start(names);
}
