/**
 * The shared-token guard of /metrics, the alert webhook and the synthetics trigger, as a Fastify onRequest hook over
 * @lookout/instrumentation's bearer check (constant time; an empty token never matches) and its 401 reply.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { bearerMatches, unauthorized } from "@lookout/instrumentation";

/** A Fastify onRequest hook that answers 401 unless the request carries `Authorization: Bearer <token>`. */
export function requireBearer(token: string, realm: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (bearerMatches(request.headers.authorization, token)) return;
    const denied = unauthorized(realm);
    await reply.code(denied.status).headers(denied.headers).send(denied.body);
  };
}
