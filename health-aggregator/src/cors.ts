/**
 * Cross-origin access for browser pages on the origins of the config's `cors.origins` (config/cors.ts), read on each
 * request so a reload takes effect at once. Any other origin gets no `Access-Control-Allow-Origin`, so its browser
 * withholds the reply from the page (and fails the preflight that a request with a token needs first). The default,
 * no origin configured, is no cross-origin access at all. The preflight route (`OPTIONS *`) is hidden from the
 * OpenAPI document: it belongs to the protocol, not to the API.
 *
 * Credentials are bearer tokens in the Authorization header, which a preflight must allow; the API sets no cookies,
 * so `Access-Control-Allow-Credentials` is never sent (fetch's default `credentials: "same-origin"` suffices).
 */
import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";

/** Registers the CORS hooks; call it before any route is registered (they apply to the routes added after them). */
export function registerCors(app: FastifyInstance, allowedOrigins: () => ReadonlySet<string>): void {
  app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins().has(origin)),
    methods: ["GET", "HEAD", "POST", "DELETE"],
    allowedHeaders: ["Authorization", "Content-Type"],
    // A page can read why a token was refused (RFC 6750's error="invalid_token" | "insufficient_scope").
    exposedHeaders: ["WWW-Authenticate"],
    credentials: false,
    // Browsers cap it lower (Chromium: 2 h); ten minutes keeps a dashboard from preflighting every poll.
    maxAge: 600,
  });
}
