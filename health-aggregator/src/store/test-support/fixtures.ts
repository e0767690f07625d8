/** What the contract suite's files share: its instants (a fixed start and the units it counts in, ms) and opener. */
import type { Storage } from "../types.js";

export const T0 = Date.parse("2026-11-01T00:00:00Z");
export const S = 1_000;
export const MIN = 60 * S;
export const H = 60 * MIN;
export const D = 24 * H;

/** A new storage, and its reopening once closed; the suite closes each after the test. */
export type Open = () => { storage: Storage; reopen: () => Storage };
