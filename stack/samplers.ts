/**
 * How many tail samplers the native stack runs (LOOKOUT_COLLECTOR_SAMPLERS): read by ports.ts (which ports are in
 * use) and scaleout.ts (the collector topology). A leaf, so neither imports the other for it.
 */
import { LookoutError } from "../shared/index.js";

/** The sampler counts the native stack can run (ports.ts has ports for two samplers). */
export const SAMPLER_COUNTS = [1, 2] as const;
export type SamplerCount = (typeof SAMPLER_COUNTS)[number];

/** How many tail samplers LOOKOUT_COLLECTOR_SAMPLERS asks for (stack/scaleout.ts builds the topology). */
export function samplerCount(env: NodeJS.ProcessEnv = process.env): SamplerCount {
  const raw = env.LOOKOUT_COLLECTOR_SAMPLERS?.trim();
  if (raw === undefined || raw === "" || raw === "1") return 1;
  if (raw === "2") return 2;
  throw new LookoutError(
    "LOOKOUT_ERR_CONFIG",
    `LOOKOUT_COLLECTOR_SAMPLERS=${JSON.stringify(raw)}: the native stack runs 1 (one gateway) or 2 (a load-balancing ` +
      `tier in front of two samplers). For more, see docs/scaling.md.`,
  );
}
