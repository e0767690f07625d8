/**
 * telemetrygen (the contrib project's OTLP load generator, built by `lookout setup`): the independent OTLP client
 * tests and benchmarks send traces with. One place builds its command line.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { toolPaths } from "../stack/index.js";

export interface TelemetrygenTraces {
  /** The collector's OTLP gRPC port on the loopback. */
  port: number;
  /** The gateway's OTLP bearer token (omitted: no authorization header). */
  token?: string;
  service?: string;
  /** A fixed number of traces (per worker); otherwise `duration` decides. */
  traces?: number;
  /** Traces per second per worker. */
  rate?: number;
  workers?: number;
  durationSeconds?: number;
  childSpans?: number;
  batchSize?: number;
  /** e.g. "Error": the sampler keeps every error trace. */
  statusCode?: string;
  /** Span attributes, each sent as `key="value"`. */
  attributes?: Readonly<Record<string, string>>;
}

/** The arguments of `telemetrygen traces` for these options. */
export function telemetrygenTracesArgs(o: TelemetrygenTraces): string[] {
  const flag = (name: string, value: string | number | undefined) =>
    value === undefined ? [] : [`--${name}`, String(value)];
  return [
    "traces",
    "--otlp-endpoint",
    `127.0.0.1:${o.port}`,
    "--otlp-insecure",
    ...(o.token === undefined ? [] : ["--otlp-header", `Authorization="Bearer ${o.token}"`]),
    ...flag("service", o.service),
    ...flag("traces", o.traces),
    ...flag("rate", o.rate),
    ...flag("workers", o.workers),
    ...flag("child-spans", o.childSpans),
    ...flag("batch-size", o.batchSize),
    ...flag("duration", o.durationSeconds === undefined ? undefined : `${o.durationSeconds}s`),
    ...flag("status-code", o.statusCode),
    ...Object.entries(o.attributes ?? {}).flatMap(([k, v]) => ["--telemetry-attributes", `${k}="${v}"`]),
  ];
}

/** Runs telemetrygen to completion (a minute at most). */
export function runTelemetrygen(o: TelemetrygenTraces): SpawnSyncReturns<string> {
  return spawnSync(toolPaths().telemetrygen, telemetrygenTracesArgs(o), { encoding: "utf8", timeout: 60_000 });
}
