/**
 * Every pinned upstream release in one place. docs/setup.md ("Upgrading a component") says how to move one.
 */

/** OpenTelemetry Collector release: builder, core and contrib components (the builder refuses mixed versions). */
export const COLLECTOR_VERSION = "0.159.0";
/** The stable 1.x core modules (confmap providers) released together with COLLECTOR_VERSION. */
export const COLLECTOR_STABLE_VERSION = "1.65.0";
/**
 * telemetrygen, the contrib project's OTLP load generator: the independent client tests and benchmarks use. The
 * module proxy reachable here refuses the v0.159.0 (and v0.158.0) source archive of this module with 403, so the
 * next release is pinned; it speaks the same OTLP and nothing of the collector is built from it.
 */
export const TELEMETRYGEN_VERSION = "0.160.0";

/**
 * Jaeger v2. The module `github.com/jaegertracing/jaeger` tags each release twice (v1.x for the Go module and v2.x
 * for the binary). The module registry reachable here serves v1.75.0 and v1.76.0 but marks only v1.75.0 (= Jaeger
 * v2.12.0) as an approved release of the module, so that is the pin (see docs/setup.md, "Jaeger's version").
 */
export const JAEGER_MODULE_VERSION = "v1.75.0";
export const JAEGER_RELEASE = "v2.12.0";
/** The commit both tags name; stamped into the binary with the release so `jaeger version` tells the truth. */
export const JAEGER_COMMIT = "1c5531b15d6a90c91a5a6cec94171ccc18ebd3ca";
/** v1.75.0's go.mod carries this replace directive, which `go install pkg@version` refuses; the build module repeats it. */
export const JAEGER_REPLACES = ["github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0"];

/** Minimum Go: the collector v0.159.0 modules require Go 1.26. */
export const MIN_GO = { major: 1, minor: 26 } as const;

/** Debian packages the stack and tests use, with a binary that proves each is installed. */
export const DEBIAN_PACKAGES = [
  { name: "prometheus", binaries: ["/usr/bin/prometheus", "/usr/bin/promtool"] },
  { name: "prometheus-alertmanager", binaries: ["/usr/bin/prometheus-alertmanager", "/usr/bin/amtool"] },
  { name: "prometheus-node-exporter", binaries: ["/usr/bin/prometheus-node-exporter"] },
  { name: "prometheus-postgres-exporter", binaries: ["/usr/bin/prometheus-postgres-exporter"] },
  { name: "prometheus-redis-exporter", binaries: ["/usr/bin/prometheus-redis-exporter"] },
  { name: "postgresql", binaries: ["/usr/lib/postgresql/*/bin/postgres", "/usr/bin/pg_isready"] },
  { name: "redis-server", binaries: ["/usr/bin/redis-server"] },
  { name: "chromium", binaries: ["/usr/bin/chromium"] },
] as const;

/**
 * Helm, built from its Go module like the collector (`lookout setup`): renders and lints deploy/helm/lookout. v4 is
 * the release line the module registry here recommends; its k8s.io modules (v0.37) are the API types
 * deploy/kube-check decodes the rendered manifests against.
 */
export const HELM_VERSION = "v4.3.2";
