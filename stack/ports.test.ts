import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { assertPortsFree, PORT_SPECS, portEnv, resolvePorts } from "./ports.js";
import { freeStackPortEnv } from "../testkit/index.js";

describe("resolvePorts", () => {
  it("uses DESIGN.md's defaults", () => {
    const ports = resolvePorts({});
    expect(ports.AGGREGATOR).toBe(8080);
    expect(ports.OTLP_GRPC).toBe(4317);
    expect(ports.OTLP_HTTP).toBe(4318);
    expect(ports.COLLECTOR_HEALTH).toBe(13133);
    expect(ports.COLLECTOR_METRICS).toBe(8888);
    expect(ports.JAEGER_QUERY).toBe(16686);
    expect(ports.PROMETHEUS).toBe(9090);
    expect(ports.ALERTMANAGER).toBe(9093);
    expect([ports.NODE_EXPORTER, ports.POSTGRES_EXPORTER, ports.REDIS_EXPORTER]).toEqual([9100, 9187, 9121]);
  });

  it("moves Jaeger off every collector port", () => {
    const ports = resolvePorts({});
    const collector = [ports.OTLP_GRPC, ports.OTLP_HTTP, ports.COLLECTOR_HEALTH, ports.COLLECTOR_METRICS];
    const jaeger = [ports.JAEGER_OTLP_GRPC, ports.JAEGER_HEALTH, ports.JAEGER_QUERY];
    expect(jaeger.filter((p) => collector.includes(p))).toEqual([]);
  });

  it("takes overrides from LOOKOUT_PORT_<NAME>", () => {
    expect(resolvePorts({ LOOKOUT_PORT_PROMETHEUS: "19090" }).PROMETHEUS).toBe(19090);
    expect(portEnv(resolvePorts({})).LOOKOUT_PORT_JAEGER_QUERY).toBe("16686");
  });

  it.each([["abc"], ["0"], ["70000"], ["80.5"]])("refuses %j and names the variable", (value) => {
    expect(() => resolvePorts({ LOOKOUT_PORT_REDIS: value })).toThrow(/LOOKOUT_PORT_REDIS=.* is not a port number/);
  });

  it("refuses two components on one port", () => {
    expect(() => resolvePorts({ LOOKOUT_PORT_REDIS: "9090" })).toThrow(
      /port 9090 is given to both PROMETHEUS and REDIS/,
    );
  });

  it("lets the samplers' ports clash only when the samplers run", () => {
    const env = { LOOKOUT_PORT_SAMPLER2_HEALTH: "13133" };
    expect(resolvePorts(env).SAMPLER2_HEALTH).toBe(13133);
    expect(() => resolvePorts({ ...env, LOOKOUT_COLLECTOR_SAMPLERS: "2" })).toThrow(
      /port 13133 is given to both COLLECTOR_HEALTH and SAMPLER2_HEALTH/,
    );
    // A sampler port is still checked for being a port.
    expect(() => resolvePorts({ LOOKOUT_PORT_SAMPLER2_OTLP_GRPC: "x" })).toThrow(/SAMPLER2_OTLP_GRPC="x"/);
  });
});

describe("assertPortsFree", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it("passes when every port is free", async () => {
    const ports = resolvePorts(await freeStackPortEnv());
    await expect(assertPortsFree(ports, {})).resolves.toBeUndefined();
  });

  it("names the port and the component that wanted it", async () => {
    const env = await freeStackPortEnv();
    const ports = resolvePorts(env);
    server = createServer();
    await new Promise<void>((r) => server!.listen(ports.ALERTMANAGER, "127.0.0.1", () => r()));
    await expect(assertPortsFree(ports, {})).rejects.toThrow(
      `port ${ports.ALERTMANAGER} (alertmanager: UI and API) is already in use`,
    );
  });

  it("probes the samplers' ports only when the samplers run", async () => {
    const env = await freeStackPortEnv();
    const ports = resolvePorts(env);
    server = createServer();
    await new Promise<void>((r) => server!.listen(ports.SAMPLER2_METRICS, "127.0.0.1", () => r()));
    await expect(assertPortsFree(ports, { LOOKOUT_COLLECTOR_SAMPLERS: "1" })).resolves.toBeUndefined();
    await expect(assertPortsFree(ports, { LOOKOUT_COLLECTOR_SAMPLERS: "2" })).rejects.toThrow(
      `port ${ports.SAMPLER2_METRICS} (collector-sampler-2: own telemetry) is already in use`,
    );
  });

  it("knows every port's component", () => {
    expect(PORT_SPECS.every((s) => s.component.length > 0 && s.purpose.length > 0)).toBe(true);
  });
});
