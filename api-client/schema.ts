// Generated from health-aggregator/openapi.json by `node bin/lookout.mjs api build` (openapi-typescript): do not edit.
export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The aggregator's own HealthCheckResponse */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (lookout_*) */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every public target's current state */
        get: operations["getStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A target's availability, latency and incidents over a window */
        get: operations["getTargetHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/incidents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Incidents, newest first */
        get: operations["listIncidents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alerts/webhook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Alertmanager notifications (webhook v4) */
        post: operations["receiveAlertmanagerWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alert history, newest first */
        get: operations["listAlerts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/synthetics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The enabled flows and their last run */
        get: operations["listSyntheticFlows"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/synthetics/{flow}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A flow's latest runs, newest first */
        get: operations["listSyntheticRuns"];
        put?: never;
        /** Run a flow now; answers when the run is over */
        post: operations["runSyntheticFlow"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/maintenance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Maintenance windows */
        get: operations["listMaintenanceWindows"];
        put?: never;
        /** Create a maintenance window (write claim) */
        post: operations["createMaintenanceWindow"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/maintenance/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One maintenance window */
        get: operations["getMaintenanceWindow"];
        put?: never;
        post?: never;
        /** Delete an upcoming or past window (write claim) */
        delete: operations["deleteMaintenanceWindow"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/maintenance/{id}/end": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End an active window now (write claim) */
        post: operations["endMaintenanceWindow"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/silences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alertmanager's silences */
        get: operations["listSilences"];
        put?: never;
        /** Create an Alertmanager silence (write claim) */
        post: operations["createSilence"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/silences/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Expire an Alertmanager silence (write claim) */
        delete: operations["expireSilence"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document (OpenAPI 3.1) */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The public status page */
        get: operations["getStatusPage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The aggregator's own health: its state, dependencies and request figures of the last minute. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "healthy" | "degraded" | "unhealthy";
                        /** Format: date-time */
                        timestamp: string;
                        uptime: number;
                        version: string;
                        dependencies: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "healthy" | "degraded" | "unhealthy";
                                responseTime: number;
                            };
                        };
                        metrics: {
                            requestsPerMinute: number;
                            errorRate: number;
                            avgResponseTime: number;
                        };
                    };
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    getStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every public target's current state (every target with public_status.details). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        generatedAt: string;
                        targets: {
                            id: string;
                            name: string;
                            system: string;
                            /** @enum {string} */
                            status: "healthy" | "degraded" | "unhealthy" | "unknown";
                            since: string | null;
                            lastCheckAt: string | null;
                            latencyMs?: number | null;
                            error?: string;
                            rootCause?: string;
                            serving?: string;
                            dependsOn: string[];
                            labels?: {
                                [key: string]: string;
                            };
                            instances: {
                                name: string;
                                role: string;
                                /** @enum {string} */
                                status: "healthy" | "degraded" | "unhealthy" | "unknown";
                                latencyMs?: number | null;
                                error?: string;
                                dependencies?: {
                                    [key: string]: {
                                        /** @enum {string} */
                                        status?: "healthy" | "degraded" | "unhealthy";
                                        responseTime?: number;
                                    };
                                };
                            }[];
                        }[];
                    };
                };
            };
        };
    };
    getTargetHistory: {
        parameters: {
            query?: {
                window?: "24h" | "7d" | "30d" | "90d" | "1y";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The target's availability, time per state, latency percentiles and incidents over the window. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        targetId: string;
                        window: string;
                        from: string;
                        to: string;
                        availability: number | null;
                        upSeconds?: number;
                        degradedSeconds?: number;
                        downSeconds?: number;
                        maintenanceSeconds?: number;
                        noDataSeconds?: number;
                        latency: {
                            p50?: number | null;
                            p95?: number | null;
                            p99?: number | null;
                            checks?: number;
                        };
                        incidents: {
                            id: number;
                            targetId: string;
                            /** Format: date-time */
                            startedAt: string;
                            endedAt: string | null;
                            rootCause: string;
                            affected: string[];
                            summary: string;
                            /** @description Opened while the target was in a maintenance window. */
                            maintenance: boolean;
                        }[];
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    listIncidents: {
        parameters: {
            query?: {
                state?: "open" | "all";
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Incidents, newest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        incidents: {
                            id: number;
                            targetId: string;
                            /** Format: date-time */
                            startedAt: string;
                            endedAt: string | null;
                            rootCause: string;
                            affected: string[];
                            summary: string;
                            /** @description Opened while the target was in a maintenance window. */
                            maintenance: boolean;
                        }[];
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    receiveAlertmanagerWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    status: "firing" | "resolved";
                    alerts: {
                        /** @enum {string} */
                        status: "firing" | "resolved";
                        labels: {
                            [key: string]: string;
                        };
                        annotations?: {
                            [key: string]: string;
                        };
                        /** Format: date-time */
                        startsAt: string;
                        endsAt?: string;
                        fingerprint?: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description How many alerts were recorded. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accepted?: number;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    listAlerts: {
        parameters: {
            query?: {
                state?: "firing" | "all";
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alert instances from Alertmanager's notifications, newest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        alerts: {
                            fingerprint: string;
                            /** @enum {string} */
                            status: "firing" | "resolved";
                            alertname: string;
                            severity: string;
                            service?: string | null;
                            summary: string;
                            startsAt: string;
                            endsAt: string | null;
                        }[];
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    listSyntheticFlows: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The enabled flows: schedule, threshold, state and last run. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        flows: {
                            name: string;
                            description: string;
                            schedule: string;
                            timeoutMs: number;
                            alertAfter: number;
                            recheckMs?: number | null;
                            consecutiveFailures: number;
                            running: boolean;
                            lastRun: {
                                runId: string;
                                flow: string;
                                /** @enum {string} */
                                trigger: "schedule" | "recheck" | "manual" | "local";
                                /** Format: date-time */
                                startedAt: string;
                                durationMs: number;
                                /** @enum {string} */
                                outcome: "success" | "failure" | "timeout";
                                traceId: string;
                                traceUrl?: string;
                                error?: string;
                                trace?: {
                                    /** @enum {string} */
                                    status: "passed" | "failed" | "unavailable";
                                    reason?: string;
                                    durationMs: number;
                                    assertions: {
                                        name: string;
                                        /** @enum {string} */
                                        status: "passed" | "failed" | "unavailable";
                                        check?: string;
                                        expected?: string;
                                        actual?: string;
                                        message?: string;
                                        spanId?: string;
                                        service?: string;
                                        spanName?: string;
                                        spanUrl?: string;
                                    }[];
                                };
                                steps: {
                                    name: string;
                                    /** @enum {string} */
                                    status: "passed" | "failed" | "skipped";
                                    durationMs: number;
                                    attempts: number;
                                    cleanup?: boolean;
                                    httpStatus?: number;
                                    spanId?: string;
                                    failure?: {
                                        assertion: string;
                                        expected: string;
                                        actual: string;
                                        message: string;
                                    };
                                }[];
                            } | null;
                        }[];
                    };
                };
            };
        };
    };
    listSyntheticRuns: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                flow: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The flow's latest runs, newest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        flow: string;
                        runs: {
                            runId: string;
                            flow: string;
                            /** @enum {string} */
                            trigger: "schedule" | "recheck" | "manual" | "local";
                            /** Format: date-time */
                            startedAt: string;
                            durationMs: number;
                            /** @enum {string} */
                            outcome: "success" | "failure" | "timeout";
                            traceId: string;
                            traceUrl?: string;
                            error?: string;
                            trace?: {
                                /** @enum {string} */
                                status: "passed" | "failed" | "unavailable";
                                reason?: string;
                                durationMs: number;
                                assertions: {
                                    name: string;
                                    /** @enum {string} */
                                    status: "passed" | "failed" | "unavailable";
                                    check?: string;
                                    expected?: string;
                                    actual?: string;
                                    message?: string;
                                    spanId?: string;
                                    service?: string;
                                    spanName?: string;
                                    spanUrl?: string;
                                }[];
                            };
                            steps: {
                                name: string;
                                /** @enum {string} */
                                status: "passed" | "failed" | "skipped";
                                durationMs: number;
                                attempts: number;
                                cleanup?: boolean;
                                httpStatus?: number;
                                spanId?: string;
                                failure?: {
                                    assertion: string;
                                    expected: string;
                                    actual: string;
                                    message: string;
                                };
                            }[];
                        }[];
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    runSyntheticFlow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                flow: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One run of a synthetic flow: its steps, outcome and trace. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        runId: string;
                        flow: string;
                        /** @enum {string} */
                        trigger: "schedule" | "recheck" | "manual" | "local";
                        /** Format: date-time */
                        startedAt: string;
                        durationMs: number;
                        /** @enum {string} */
                        outcome: "success" | "failure" | "timeout";
                        traceId: string;
                        traceUrl?: string;
                        error?: string;
                        trace?: {
                            /** @enum {string} */
                            status: "passed" | "failed" | "unavailable";
                            reason?: string;
                            durationMs: number;
                            assertions: {
                                name: string;
                                /** @enum {string} */
                                status: "passed" | "failed" | "unavailable";
                                check?: string;
                                expected?: string;
                                actual?: string;
                                message?: string;
                                spanId?: string;
                                service?: string;
                                spanName?: string;
                                spanUrl?: string;
                            }[];
                        };
                        steps: {
                            name: string;
                            /** @enum {string} */
                            status: "passed" | "failed" | "skipped";
                            durationMs: number;
                            attempts: number;
                            cleanup?: boolean;
                            httpStatus?: number;
                            spanId?: string;
                            failure?: {
                                assertion: string;
                                expected: string;
                                actual: string;
                                message: string;
                            };
                        }[];
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    listMaintenanceWindows: {
        parameters: {
            query?: {
                state?: "active" | "upcoming" | "past" | "all";
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Maintenance windows. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        windows: {
                            id: number;
                            /** @enum {string} */
                            state: "active" | "upcoming" | "past";
                            /** Format: date-time */
                            start: string;
                            /** Format: date-time */
                            end: string;
                            endedEarly: boolean;
                            targets: string[];
                            systems: string[];
                            reason: string;
                            createdBy: string;
                            /** Format: date-time */
                            createdAt: string;
                            silenceIds: string[];
                            warnings?: string[];
                        }[];
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    createMaintenanceWindow: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    targets?: string[];
                    systems?: string[];
                    /**
                     * Format: date-time
                     * @description Default: now.
                     */
                    start?: string;
                    /** Format: date-time */
                    end: string;
                    reason: string;
                };
            };
        };
        responses: {
            /** @description A maintenance window. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        state: "active" | "upcoming" | "past";
                        /** Format: date-time */
                        start: string;
                        /** Format: date-time */
                        end: string;
                        endedEarly: boolean;
                        targets: string[];
                        systems: string[];
                        reason: string;
                        createdBy: string;
                        /** Format: date-time */
                        createdAt: string;
                        silenceIds: string[];
                        warnings?: string[];
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    getMaintenanceWindow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A maintenance window. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        state: "active" | "upcoming" | "past";
                        /** Format: date-time */
                        start: string;
                        /** Format: date-time */
                        end: string;
                        endedEarly: boolean;
                        targets: string[];
                        systems: string[];
                        reason: string;
                        createdBy: string;
                        /** Format: date-time */
                        createdAt: string;
                        silenceIds: string[];
                        warnings?: string[];
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    deleteMaintenanceWindow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The window was deleted, with its silences expired. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deleted: number;
                        warnings?: string[];
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    endMaintenanceWindow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A maintenance window. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        state: "active" | "upcoming" | "past";
                        /** Format: date-time */
                        start: string;
                        /** Format: date-time */
                        end: string;
                        endedEarly: boolean;
                        targets: string[];
                        systems: string[];
                        reason: string;
                        createdBy: string;
                        /** Format: date-time */
                        createdAt: string;
                        silenceIds: string[];
                        warnings?: string[];
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    listSilences: {
        parameters: {
            query?: {
                state?: "active" | "pending" | "expired" | "all";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alertmanager's silences. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        silences: {
                            id: string;
                            matchers: {
                                name: string;
                                value: string;
                                isRegex: boolean;
                                isEqual: boolean;
                            }[];
                            startsAt: string;
                            endsAt: string;
                            createdBy: string;
                            comment: string;
                            /** @enum {string} */
                            state: "active" | "pending" | "expired";
                        }[];
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    createSilence: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    matchers: {
                        name: string;
                        value: string;
                        /** @default false */
                        isRegex?: boolean;
                        /** @default true */
                        isEqual?: boolean;
                    }[];
                    /**
                     * Format: date-time
                     * @description Default: now.
                     */
                    start?: string;
                    /** Format: date-time */
                    end: string;
                    comment: string;
                };
            };
        };
        responses: {
            /** @description The silence's id. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    expireSilence: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The id of the silence expired. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        expired: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
            /** @description An error: a code (`not_found`, `unauthorized`, …) and what was wrong. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        message: string;
                    };
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getStatusPage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The status page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
}
