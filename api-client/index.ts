/**
 * A typed client of the health aggregator's HTTP API, for dashboards and scripts in Node or the browser: openapi-fetch
 * over the types generated from health-aggregator/openapi.json (schema.ts; `node bin/lookout.mjs api build`
 * regenerates both). Every path, parameter, body and reply is typed from the routes' own schemas.
 *
 *   const lookout = createLookoutClient({ baseUrl: "https://status.example.com" });
 *   const { data, error } = await lookout.GET("/api/v1/status");
 *
 * A browser page on another origin needs that origin in the aggregator's `cors.origins` (docs/health-aggregator.md).
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { operations, paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";

export type LookoutClient = Client<paths>;

export interface LookoutClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /** The aggregator's origin, e.g. `http://127.0.0.1:8080` (no trailing path). */
  baseUrl: string;
  /**
   * Sent as `Authorization: Bearer <token>`: the metrics token, the admin token or an admin JWT, whichever the
   * routes you call take (the document's securitySchemes). The read API needs none.
   */
  token?: string;
}

export function createLookoutClient(options: LookoutClientOptions): LookoutClient {
  const { token, ...rest } = options;
  const client = createClient<paths>(rest);
  if (token !== undefined) {
    client.use({
      onRequest({ request }) {
        request.headers.set("authorization", `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}

/** The JSON body of an operation's reply with the given status, e.g. `Reply<"getStatus">`. */
export type Reply<Op extends keyof operations, Code extends number = 200> =
  operations[Op]["responses"] extends Record<Code, { content: { "application/json": infer Body } }> ? Body : never;

/** What GET /api/v1/status returns. */
export type StatusReply = Reply<"getStatus">;
/** One target of it. */
export type TargetStatus = StatusReply["targets"][number];
/** What GET /api/v1/targets/{id}/history returns. */
export type HistoryReply = Reply<"getTargetHistory">;
