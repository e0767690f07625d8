/** Pulls variables for later steps out of a response: by JSON path, header or pattern (first capture group). */
import { evaluatePath } from "./jsonpath.js";
import type { Extraction, StepFailure, StepResponse } from "./types.js";

export function extract(
  name: string,
  how: Extraction,
  response: StepResponse,
): { value: string } | { failure: StepFailure } {
  const missing = (source: string, actual: string): { failure: StepFailure } => ({
    failure: {
      assertion: `extract ${name}`,
      expected: source,
      actual,
      message: `extract ${name}: expected ${source}, got ${actual}`,
    },
  });
  if ("jsonPath" in how) {
    const { found, value } =
      response.json === undefined ? { found: false, value: undefined } : evaluatePath(response.json, how.jsonPath);
    if (!found || value === null || typeof value === "object")
      return missing(`a value at ${how.jsonPath}`, found ? JSON.stringify(value) : "(absent)");
    return { value: typeof value === "string" ? value : JSON.stringify(value) };
  }
  if ("header" in how) {
    const value = response.headers[how.header.toLowerCase()];
    return value === undefined ? missing(`header ${how.header.toLowerCase()}`, "(absent)") : { value };
  }
  const match = new RegExp(how.pattern).exec(response.text);
  // The first capture group by default, the whole match when the pattern has none.
  const value = match?.[how.group ?? (match.length > 1 ? 1 : 0)];
  return value === undefined ? missing(`a match of /${how.pattern}/`, "no match") : { value };
}
