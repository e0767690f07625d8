/**
 * Strict argument parsing for every `lookout` command (node:util parseArgs): an unknown flag, a flag without its
 * value, a value given to a flag that takes none, or a stray word is a usage error that names it and shows the
 * command's usage — never silently ignored (`stack up --no-setpu` used to run setup).
 */
import { parseArgs } from "node:util";
import { LookoutError } from "../shared/index.js";

export type OptionSpec = Readonly<Record<string, { type: "string" | "boolean"; short?: string }>>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses args against options; at most maxPositionals plain words are allowed. Errors are LOOKOUT_ERR_USAGE with
 * the parser's own description of the problem and the usage text.
 */
export function parseCommand(
  command: string,
  args: readonly string[],
  options: OptionSpec,
  usage: string,
  maxPositionals = 0,
): Parsed {
  let parsed: Parsed;
  try {
    const result = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
    parsed = { values: result.values, positionals: result.positionals };
  } catch (error) {
    // parseArgs' messages name the flag: "Unknown option '--no-setpu'", "Option '--ttl <value>' argument missing".
    const message = (error as Error).message.split("\n")[0]!.replace(/\. To specify a positional argument.*$/, "");
    throw new LookoutError("LOOKOUT_ERR_USAGE", `${command}: ${message}\n\n${usage}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).map((p) => JSON.stringify(p));
    throw new LookoutError("LOOKOUT_ERR_USAGE", `${command}: unexpected argument ${extra.join(", ")}\n\n${usage}`);
  }
  return parsed;
}

/** A string option's value (undefined when absent). */
export function stringValue(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === "string" ? value : undefined;
}
