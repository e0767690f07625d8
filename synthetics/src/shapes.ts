/** Small shape checks both validators (validate.ts, trace-validate.ts) use on a flow that may be plain JavaScript. */

export type Rec = Record<string, unknown>;

export const isRecord = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);

/** Why a value is not a usable regular expression, or undefined when it is one. */
export function regexProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== "string") return "must be a string (a regular expression)";
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
}
