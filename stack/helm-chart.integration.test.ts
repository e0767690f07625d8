/**
 * What the Helm chart renders, read from `helm template` (the real helm): the two collector tiers wired to each other,
 * memory settings computed from the container limit, the aggregator's refusal of replicas it cannot run, operator
 * mode, and the security settings every workload must have.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHART_DIR, chartSourceFiles, helmTools } from "./helm.js";
import { find, helmTemplate, type Manifest, parseManifests, podContainers } from "./helm-check.js";
import { missingToolMessage } from "./tools.js";
import { HELM_VERSION } from "./versions.js";

const tools = helmTools();
if (!existsSync(tools.helm)) throw new Error(missingToolMessage("helm", tools.helm));

function render(values: string, set: string[] = []): Manifest[] {
  const { result, text } = helmTemplate(join(CHART_DIR, "ci", `${values}-values.yaml`), set, tools);
  expect(result.output).toBe("");
  return parseManifests(text);
}

function refusal(values: string, set: string[]): string {
  const { result } = helmTemplate(join(CHART_DIR, "ci", `${values}-values.yaml`), set, tools);
  expect(result.ok).toBe(false);
  return result.output;
}

interface PodContainer {
  name: string;
  securityContext?: unknown;
  resources?: { limits?: { cpu?: string; memory?: string } };
  readinessProbe?: unknown;
  livenessProbe?: unknown;
}

type Env = { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } };
const envOf = (workload: Manifest | undefined) =>
  Object.fromEntries(
    ((podContainers(workload)[0] as { env?: Env[] } | undefined)?.env ?? []).map((e) => [e.name, e] as const),
  );

interface Peer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: unknown;
}
interface IngressRule {
  ports?: { port: number }[];
  from?: Peer[];
}

/**
 * Whether the chart's NetworkPolicies let a pod of component `from` (in the release's namespace) reach port of
 * component `to`: some policy selecting `to` has a rule with that port and no `from`, or a pod selector that matches.
 */
function admits(manifests: Manifest[], from: { component: string }, to: string, port: number): boolean {
  const labels: Record<string, string> = {
    "app.kubernetes.io/name": "lookout",
    "app.kubernetes.io/instance": "lookout",
    "app.kubernetes.io/component": from.component,
  };
  const matches = (selector: Record<string, string> = {}) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);
  return manifests
    .filter((m) => m.kind === "NetworkPolicy")
    .filter((p) => (p.spec?.podSelector as Peer["podSelector"])?.matchLabels?.["app.kubernetes.io/component"] === to)
    .some((p) =>
      (p.spec?.ingress as IngressRule[]).some(
        (rule) =>
          (rule.ports ?? []).some((p) => p.port === port) &&
          (!rule.from || rule.from.some((peer) => !peer.namespaceSelector && matches(peer.podSelector?.matchLabels))),
      ),
    );
}

describe("helm", () => {
  it("is the pinned release", () => {
    expect(spawnSync(tools.helm, ["version", "--short"], { encoding: "utf8" }).stdout.trim()).toBe(HELM_VERSION);
  });
});

describe("the scale-out shape (3 samplers)", () => {
  const manifests = render("scaleout");
  const samplers = find(manifests, "StatefulSet", "sampler")!;

  it("runs the samplers as a StatefulSet behind a headless Service, with a PDB and a queue volume per pod", () => {
    expect(samplers.spec?.replicas).toBe(3);
    const service = find(manifests, "Service", "sampler")!;
    expect(service.spec?.clusterIP).toBe("None");
    expect(samplers.spec?.serviceName).toBe(service.metadata.name);
    expect(find(manifests, "PodDisruptionBudget", "sampler")?.spec?.maxUnavailable).toBe(1);
    const claims = samplers.spec?.volumeClaimTemplates as { metadata: { name: string } }[];
    expect(claims.map((c) => c.metadata.name)).toEqual(["queue"]);
    expect(envOf(samplers).LOOKOUT_COLLECTOR_STORAGE_DIR?.value).toBe("/var/lib/otelcol");
  });

  it("takes each sampler's instance id from its pod name", () => {
    expect(envOf(samplers).LOOKOUT_COLLECTOR_INSTANCE_ID?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.name");
  });

  it("sizes GOMEMLIMIT and the memory limiter from the 2Gi container limit", () => {
    expect(envOf(samplers).GOMEMLIMIT?.value).toBe("1600MiB");
    expect(envOf(samplers).LOOKOUT_COLLECTOR_MEMORY_LIMIT_MIB?.value).toBe("1800");
    // The 512Mi load balancer gets the native stack's figures (stack/components.ts, gateway.yaml).
    const lb = find(manifests, "Deployment", "loadbalancer");
    expect(envOf(lb).GOMEMLIMIT?.value).toBe("400MiB");
    expect(envOf(lb).LOOKOUT_COLLECTOR_MEMORY_LIMIT_MIB?.value).toBe("450");
  });

  it("points the load balancers' k8s resolver at the samplers' Service, with RBAC to watch it", () => {
    const overlay = find(manifests, "ConfigMap", "loadbalancer")!.data!["k8s-resolver.yaml"]!;
    expect(overlay).toMatch(/static: null/);
    expect(overlay).toMatch(/service: lookout-sampler\.observability\n\s+ports: \[4317\]/);
    const role = find(manifests, "Role", "loadbalancer")!;
    expect(JSON.stringify(role)).toMatch(/"endpointslices"\],"verbs":\["get","list","watch"\]/);
    const binding = find(manifests, "RoleBinding", "loadbalancer")!;
    const deployment = find(manifests, "Deployment", "loadbalancer")!;
    const serviceAccount = (deployment.spec?.template as { spec: { serviceAccountName: string } }).spec;
    expect(JSON.stringify(binding)).toContain(`"name":"${serviceAccount.serviceAccountName}"`);
    expect(find(manifests, "HorizontalPodAutoscaler", "loadbalancer")?.spec?.maxReplicas).toBe(8);
    expect(deployment.spec?.replicas).toBeUndefined(); // the HPA owns it
  });

  it("has Prometheus scrape every sampler by its pod's DNS name", () => {
    const config = find(manifests, "ConfigMap", "prometheus")!.data!["prometheus.yml"]!;
    const sampler = (i: number) => `lookout-sampler-${i}.lookout-sampler.observability.svc:8888`;
    expect(config).toContain(`- targets: ${JSON.stringify([0, 1, 2].map(sampler))}`);
  });

  it("renders Jaeger on OpenSearch with the storage CA mounted", () => {
    const config = find(manifests, "ConfigMap", "jaeger")!.data!["config.yaml"]!;
    expect(config).toMatch(/opensearch:[\s\S]*server_urls:\n\s+- https:\/\/opensearch-0/);
    expect(config).toContain("ca_file: /etc/lookout/storage-ca/ca.crt");
    expect(config).not.toContain("badger");
  });
});

describe("values the chart refuses", () => {
  it.each([
    {
      name: "several aggregator replicas on SQLite",
      set: ["aggregator.replicas=2"],
      expected: /aggregator\.replicas 2: with the SQLite store the aggregator runs one replica.*PostgreSQL store/,
    },
    { name: "a PostgreSQL store not released yet", set: ["aggregator.store=postgres"], expected: /SQLite only/ },
    {
      name: "a collector memory limit in decimal units",
      set: ["sampler.resources.limits.memory=1G"],
      expected: /memory limit "1G": write it in Mi or Gi/,
    },
    {
      name: "a collector memory limit too small",
      set: ["sampler.resources.limits.memory=128Mi"],
      expected: /at least 256Mi/,
    },
    {
      name: "a Jaeger backend it cannot scale",
      set: ["jaeger.storage.type=badger"],
      expected: /value must be one of 'opensearch', 'cassandra'/,
    },
    {
      name: "a target that is not host:port",
      set: ["targets.relaycore=http://relaycore"],
      expected: /at '\/targets\/relaycore'/,
    },
    {
      name: "operator mode without a remote-write store",
      set: ["prometheusOperator.enabled=true", "remoteWrite.url="],
      expected: /remoteWrite\.url: the chart's Prometheus is not deployed/,
    },
    {
      name: "a misspelt value (values.schema.json)",
      set: ["sampler.replica=3"],
      expected: /at '\/sampler': additional properties 'replica' not allowed/,
    },
  ])("refuses $name", ({ set, expected }) => {
    expect(refusal("minimal", set)).toMatch(expected);
  });
});

describe("operator mode", () => {
  const manifests = render("operator");

  it("replaces the chart's Prometheus and Alertmanager with ServiceMonitors and PrometheusRules", () => {
    expect(manifests.filter((m) => m.kind === "StatefulSet").map((m) => m.metadata.name)).toEqual(["lookout-sampler"]);
    const monitors = manifests.filter((m) => m.kind === "ServiceMonitor");
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual([
      "lookout-aggregator",
      "lookout-loadbalancer",
      "lookout-sampler",
    ]);
    for (const monitor of monitors) expect(monitor.metadata.labels?.release).toBe("monitoring");
    const rules = manifests.filter((m) => m.kind === "PrometheusRule");
    expect(rules.map((r) => r.metadata.annotations?.["lookout.dev/source"]).sort()).toEqual(
      chartSourceFiles().filter((f) => f.startsWith("alerts/rules/")),
    );
  });

  it("takes each ServiceMonitor's interval and job from prometheus/prometheus.yml", () => {
    const aggregator = JSON.stringify(find(manifests, "ServiceMonitor", "aggregator"));
    expect(aggregator).toContain('"interval":"5s"');
    expect(aggregator).toContain('"replacement":"health-aggregator"');
    const sampler = JSON.stringify(find(manifests, "ServiceMonitor", "sampler"));
    expect(sampler).toContain('"interval":"15s"');
    expect(sampler).toContain('"replacement":"otel-collector-sampler"');
  });

  it("points the aggregator and Grafana at the operator's Prometheus and Alertmanager", () => {
    const env = envOf(find(manifests, "Deployment", "aggregator"));
    expect(env.LOOKOUT_PROMETHEUS_ADDR?.value).toBe("monitoring-prometheus.monitoring.svc:9090");
    expect(env.LOOKOUT_ALERTMANAGER_ADDR?.value).toBe("monitoring-alertmanager.monitoring.svc:9093");
    const datasources = find(manifests, "ConfigMap", "grafana-datasources")!.data!["lookout-datasources.yaml"]!;
    expect(datasources).toContain("url: http://monitoring-prometheus.monitoring.svc:9090");
    expect(datasources).toContain("url: http://monitoring-alertmanager.monitoring.svc:9093");
  });

  it("remote-writes to the configured store with its own credentials", () => {
    const env = envOf(find(manifests, "StatefulSet", "sampler"));
    expect(env.LOOKOUT_PROMETHEUS_REMOTE_WRITE_URL?.value).toBe(
      "http://thanos-receive.monitoring.svc:19291/api/v1/receive",
    );
    expect(JSON.stringify(env.LOOKOUT_PROMETHEUS_AUTHORIZATION)).toContain('"name":"thanos-receive-writer"');
  });
});

describe("every workload", () => {
  const workloads = ["minimal", "scaleout", "operator"].flatMap((values) =>
    render(values).filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet"),
  );

  it("runs non-root on a read-only root filesystem without privilege escalation, with limits and probes", () => {
    expect(workloads.length).toBeGreaterThanOrEqual(15);
    for (const workload of workloads) {
      const pod = (workload.spec?.template as { spec: { securityContext: { runAsNonRoot: boolean } } }).spec;
      expect(pod.securityContext.runAsNonRoot, workload.metadata.name).toBe(true);
      for (const container of podContainers(workload) as unknown as PodContainer[]) {
        const where = `${workload.metadata.name}/${container.name}`;
        expect(container.securityContext, where).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(container.resources?.limits?.cpu, where).toBeTruthy();
        expect(container.resources?.limits?.memory, where).toBeTruthy();
        expect(container.readinessProbe, where).toBeDefined();
        expect(container.livenessProbe, where).toBeDefined();
      }
    }
  });

  it("reads every secret from an existing Secret, never from a value", () => {
    for (const workload of workloads) {
      for (const [name, entry] of Object.entries(envOf(workload))) {
        if (/TOKEN$|KEY$|SECRET$|PASSWORD$|AUTHORIZATION$|_URL$/.test(name) && !/_(UI|WRITE)_URL$/.test(name)) {
          expect(entry.value, `${workload.metadata.name} ${name}`).toBeUndefined();
        }
      }
    }
  });

  it("lets through every connection the rendered configs make, and only the OTLP and aggregator ports from anywhere", () => {
    const manifests = render("scaleout");
    // from → to:port, as the configs and the pods' environment name them.
    const connections: [string, string, number][] = [
      ["loadbalancer", "sampler", 4317], // load_balancing exporter
      ["jaeger", "sampler", 4317], // Jaeger's own telemetry
      ["sampler", "jaeger", 14317], // otlp_grpc/jaeger
      ["sampler", "prometheus", 9090], // remote write
      ["prometheus", "loadbalancer", 8888],
      ["prometheus", "sampler", 8888],
      ["prometheus", "prometheus", 9090],
      ["prometheus", "alertmanager", 9093],
      ["alertmanager", "aggregator", 8080], // webhook
      ["aggregator", "sampler", 13133], // health check of the collector target
      ["aggregator", "jaeger", 14133],
      ["aggregator", "prometheus", 9090],
      ["aggregator", "alertmanager", 9093],
    ];
    for (const [from, to, port] of connections) {
      expect(admits(manifests, { component: from }, to, port), `${from} → ${to}:${port}`).toBe(true);
    }
    const outsider = { component: "someone-else" };
    expect(admits(manifests, outsider, "loadbalancer", 4317)).toBe(true);
    expect(admits(manifests, outsider, "aggregator", 8080)).toBe(true);
    for (const [to, port] of [
      ["sampler", 4317],
      ["sampler", 8888],
      ["jaeger", 14317],
      ["loadbalancer", 8888],
    ] as const) {
      expect(admits(manifests, outsider, to, port), `outsider → ${to}:${port}`).toBe(false);
    }
  });

  it("has a NetworkPolicy selecting it", () => {
    const manifests = render("scaleout");
    const policies = manifests.filter((m) => m.kind === "NetworkPolicy");
    for (const workload of manifests.filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet")) {
      const component = workload.metadata.labels?.["app.kubernetes.io/component"];
      expect(
        policies.some((p) =>
          JSON.stringify(p.spec?.podSelector).includes(`"app.kubernetes.io/component":"${component}"`),
        ),
        String(component),
      ).toBe(true);
    }
  });
});
