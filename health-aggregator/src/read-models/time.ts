/** Instants as the API writes them: ISO 8601 in UTC, null for "not yet" or "never". */
export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

/** An instant that is always there. */
export const isoAt = (ms: number): string => new Date(ms).toISOString();
