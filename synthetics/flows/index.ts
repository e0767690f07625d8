/** The built-in flows, validated when this module loads: a mistake in one stops the aggregator at start. */
import { validateFlows } from "../src/validate.js";
import automatrix from "./automatrix.js";
import neuroweaver from "./neuroweaver.js";
import relaycore from "./relaycore.js";

export const BUILTIN_FLOWS = validateFlows([automatrix, relaycore, neuroweaver], "synthetics/flows");
