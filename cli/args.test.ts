import { describe, expect, it } from "vitest";
import { parseCommand, stringValue } from "./args.js";

const USAGE = "Usage: lookout thing [--flag] [--name NAME]";
const OPTIONS = { flag: { type: "boolean" }, name: { type: "string" } } as const;

describe("parseCommand", () => {
  it("returns flags, values and positionals", () => {
    const parsed = parseCommand("thing", ["--flag", "--name", "x", "word"], OPTIONS, USAGE, 1);
    expect(parsed.values.flag).toBe(true);
    expect(stringValue(parsed, "name")).toBe("x");
    expect(stringValue(parsed, "flag")).toBeUndefined();
    expect(parsed.positionals).toEqual(["word"]);
    expect(stringValue(parseCommand("thing", ["--name=y"], OPTIONS, USAGE), "name")).toBe("y");
  });

  it.each([
    [["--flga"], "thing: Unknown option '--flga'"],
    [["--name"], "thing: Option '--name <value>' argument missing"],
    [["--flag=yes"], "thing: Option '--flag' does not take an argument"],
    [["stray"], 'thing: unexpected argument "stray"'],
  ])("refuses %j, naming it, with the usage", (args, message) => {
    let caught: unknown;
    try {
      parseCommand("thing", args, OPTIONS, USAGE);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "LOOKOUT_ERR_USAGE" });
    expect((caught as Error).message).toBe(`${message}\n\n${USAGE}`);
  });
});
