/**
 * Suite set-up that fails the suite's tests when it fails. Vitest reports the tests of a suite whose `beforeAll`
 * threw as skipped, so a stack that could not start reads like tests nobody ran; here the set-up's error is kept
 * and thrown again before each test, which then fails with it. eslint.config.js forbids `beforeAll` in tests so
 * every suite set-up goes through this.
 */
// eslint-disable-next-line no-restricted-imports -- the one place that may use beforeAll
import { beforeAll, beforeEach } from "vitest";

/** Runs setUp once before the suite's tests (like beforeAll); if it throws, every test of the suite fails with it. */
export function setUpSuite(setUp: () => unknown, timeoutMs?: number): void {
  let failed = false;
  let failure: unknown;
  beforeAll(async () => {
    try {
      await setUp();
    } catch (error) {
      failed = true;
      failure = error;
    }
  }, timeoutMs);
  beforeEach(() => {
    if (!failed) return;
    // The same error in every test: its message and stack say what the set-up could not do.
    throw failure instanceof Error ? failure : new Error(`suite set-up failed: ${String(failure)}`);
  });
}
