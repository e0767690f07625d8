/** The user-id hash: the contract's keyed HMAC, the same for every call, and a memo that stays bounded. */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { UserIdHasher } from "./ai.js";

const key = "k".repeat(32);
const expected = (id: string) => createHmac("sha256", key).update(id, "utf8").digest("hex").slice(0, 32);

describe("UserIdHasher", () => {
  it("gives the keyed HMAC-SHA256 of the id, 32 hex characters, the same on every call", () => {
    const hasher = new UserIdHasher(key);
    expect(hasher.hash("alice@example.com")).toBe(expected("alice@example.com"));
    expect(hasher.hash("alice@example.com")).toBe(expected("alice@example.com"));
    expect(hasher.hash("bob")).toBe(expected("bob"));
    expect(hasher.hash("bob")).not.toBe(hasher.hash("alice@example.com"));
  });

  it("remembers at most its limit of ids, and hashes correctly after forgetting them", () => {
    const hasher = new UserIdHasher(key, 3);
    for (const id of ["a", "b", "c"]) hasher.hash(id);
    expect(hasher.remembered).toBe(3);
    expect(hasher.hash("d")).toBe(expected("d")); // full: emptied, then d remembered
    expect(hasher.remembered).toBe(1);
    expect(hasher.hash("a")).toBe(expected("a"));
    expect(hasher.remembered).toBe(2);
  });

  it("uses a random key when none of at least 32 bytes is given: hashes then differ per process", () => {
    const short = new UserIdHasher("too-short");
    expect(short.hash("alice")).not.toBe(createHmac("sha256", "too-short").update("alice").digest("hex").slice(0, 32));
    expect(short.hash("alice")).toMatch(/^[0-9a-f]{32}$/);
  });
});
