/**
 * The admin API's credentials check: a Fastify onRequest hook that verifies the request's bearer JWT (jwt.ts) and,
 * for writes, its write claim. 401 and 403 follow RFC 6750 (`WWW-Authenticate: Bearer error="invalid_token" |
 * "insufficient_scope"`); 503 while admin.jwt is not configured.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { JwtConfig } from "../config/load.js";
import { type AdminIdentity, type JwtVerifier, TokenError } from "./jwt.js";

const REALM = "lookout-admin";
const identities = new WeakMap<FastifyRequest, AdminIdentity>();

/** The admin JWT settings in force (rebuilt from config at start and on every reload). */
export interface AdminCredentials {
  jwtConfig: JwtConfig | undefined;
  verifier: JwtVerifier | undefined;
}

/** The onRequest hooks of the admin routes: `read` needs a valid token, `write` also its write claim. */
export interface AdminGuard {
  read: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  write: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

export function adminGuard(credentials: () => AdminCredentials): AdminGuard {
  return { read: requireJwt(credentials, false), write: requireJwt(credentials, true) };
}

export function requireJwt(credentials: () => AdminCredentials, write: boolean) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const { verifier, jwtConfig } = credentials();
    if (!verifier) {
      await reply.code(503).send({
        error: "admin_disabled",
        message: "the admin API is not configured: set admin.jwt in the aggregator's config",
      });
      return;
    }
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization?.trim() ?? "");
    if (!match?.[1]) {
      await reply
        .code(401)
        .header("www-authenticate", `Bearer realm="${REALM}"`)
        .send({ error: "unauthorized", message: "the admin API requires an Authorization: Bearer <JWT> header" });
      return;
    }
    try {
      const identity = await verifier.verify(match[1]);
      if (write && !identity.canWrite) {
        const { writeClaim, writeValue } = jwtConfig!;
        await reply
          .code(403)
          .header("www-authenticate", `Bearer realm="${REALM}", error="insufficient_scope", scope="${writeValue}"`)
          .send({ error: "forbidden", message: `writes need "${writeValue}" in the token's "${writeClaim}" claim` });
        return;
      }
      identities.set(request, identity);
    } catch (error) {
      const message = error instanceof TokenError ? error.message : "the token is not valid";
      await reply
        .code(401)
        .header("www-authenticate", `Bearer realm="${REALM}", error="invalid_token", error_description="${message}"`)
        .send({ error: "unauthorized", message });
    }
  };
}

/** Who a request that passed requireJwt is from. */
export function identityOf(request: FastifyRequest): AdminIdentity {
  const identity = identities.get(request);
  if (!identity) throw new Error("identityOf: the route does not run requireJwt");
  return identity;
}
