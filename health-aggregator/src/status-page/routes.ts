/** GET /status: the public status page, server-rendered HTML (render.ts) that reads without JavaScript. */
import type { FastifyPluginCallback } from "fastify";
import { operation } from "../openapi/operation.js";

export interface StatusPageRoutesOptions {
  /** The rendered page (cached by the caller). */
  page: () => string;
}

export const statusPageRoutes: FastifyPluginCallback<StatusPageRoutesOptions> = (app, { page }, done) => {
  const schema = {
    ...operation("getStatusPage", "documents", "none", "The public status page"),
    response: { 200: { description: "The status page.", content: { "text/html": { schema: { type: "string" } } } } },
  };
  app.get("/status", { schema }, async (_request, reply) => {
    reply.header("content-type", "text/html; charset=utf-8");
    // Shared caches may keep it briefly; the page refreshes itself every 30 s.
    reply.header("cache-control", "public, max-age=10");
    return page();
  });
  done();
};
