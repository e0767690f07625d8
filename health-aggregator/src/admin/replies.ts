/** Replies and operation metadata shared by the admin API's route modules (silences.ts, maintenance/routes.ts). */
import type { FastifyReply } from "fastify";
import { operation } from "../openapi/operation.js";
import { AlertmanagerError } from "./alertmanager.js";

/** An admin operation: tagged "admin", behind the admin JWT in the OpenAPI document. */
export const adminOperation = (operationId: string, summary: string) =>
  operation(operationId, "admin", "adminJwt", summary);

export const badRequest = (reply: FastifyReply, message: string) =>
  reply.code(400).send({ error: "bad_request", message });

export const alertmanagerDown = (reply: FastifyReply, error: unknown) =>
  reply.code(502).send({
    error: "alertmanager_unavailable",
    message: error instanceof AlertmanagerError ? error.message : "Alertmanager could not be reached",
  });

export const noAlertmanager = (reply: FastifyReply) =>
  reply.code(503).send({
    error: "alertmanager_not_configured",
    message: "silences need admin.alertmanager.url in the aggregator's config",
  });
