import { describe, expect, it } from "vitest";
import { parseRetention } from "./components.js";

describe("parseRetention", () => {
  it("defaults to 30 days", () => {
    expect(parseRetention(undefined)).toBe("30d");
    expect(parseRetention("")).toBe("30d");
  });

  it.each(["1h", "30d", "12w", "1y", "365d"])("accepts %s", (value) => {
    expect(parseRetention(value)).toBe(value);
  });

  it.each(["2y", "400d", "0d", "30", "1m", "forever"])("refuses %s and says what is allowed", (value) => {
    expect(() => parseRetention(value)).toThrow(/LOOKOUT_RETENTION=.* is not a retention between 1h and 1y/);
  });
});
