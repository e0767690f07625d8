/** Bearer-token checks for /metrics and admin endpoints, compared in constant time. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

function digest(value: string): Buffer {
  // Hashing first gives equal-length buffers, so timingSafeEqual does not leak the token's length.
  return createHash("sha256").update(value).digest();
}

export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), digest(token));
}

/** A Fastify onRequest hook that answers 401 unless the request carries `Authorization: Bearer <token>`. */
export function requireBearer(token: string, realm: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (bearerMatches(request.headers.authorization, token)) return;
    await reply
      .code(401)
      .header("www-authenticate", `Bearer realm="${realm}"`)
      .send({ error: "unauthorized", message: `${realm} requires an Authorization: Bearer token` });
  };
}
