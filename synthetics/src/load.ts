/**
 * Loads flows from a compiled flow file (an ES module whose default export is a flow or a list of flows, or whose
 * named exports are flows) and validates them, naming the file in every problem.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { LookoutError } from "../../shared/index.js";
import type { Flow } from "./types.js";
import { validateFlows } from "./validate.js";

export async function loadFlowFile(file: string): Promise<Flow[]> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new LookoutError("LOOKOUT_ERR_FLOW", `${file}: cannot load the flow file: ${(error as Error).message}`);
  }
  const exported = module.default !== undefined ? module.default : Object.values(module);
  const flows = Array.isArray(exported) ? (exported as unknown[]) : [exported];
  if (flows.length === 0) throw new LookoutError("LOOKOUT_ERR_FLOW", `${file}: exports no flow`);
  return validateFlows(flows, file);
}
