/** Bearer-token comparison in constant time, for /metrics and admin endpoints of any framework. */
import { createHash, timingSafeEqual } from "node:crypto";

function digest(value: string): Buffer {
  // Hashing first gives equal-length buffers, so timingSafeEqual does not leak the token's length.
  return createHash("sha256").update(value).digest();
}

/** True when header is `Bearer <token>` with exactly this token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header || !token) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), digest(token));
}

/** The 401 answer every protected endpoint gives, whatever the framework. */
export function unauthorized(realm: string): { status: 401; headers: Record<string, string>; body: object } {
  return {
    status: 401,
    headers: { "www-authenticate": `Bearer realm="${realm}"` },
    body: { error: "unauthorized", message: `${realm} requires an Authorization: Bearer token` },
  };
}
