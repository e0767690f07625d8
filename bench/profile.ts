/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, e.g. from `BENCH_PROFILE=/tmp/prof npm run bench -- instrumentation`):
 * self time grouped by what the code belongs to — each npm package under node_modules, Lookout's own folders, Node's
 * internals, garbage collection, idle — as a share of the process's busy (non-idle) time.
 *
 *   node dist-dev/bench/profile.js <file.cpuprofile | folder> [...]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code comes from: an npm package, a repo folder, node internals, or a V8 pseudo-frame. */
export function owner(frame: ProfileNode["callFrame"]): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === "(idle)") return "(idle)";
    if (functionName === "(garbage collector)") return "(gc)";
    if (functionName === "(program)") return "(program)";
    return "(native)";
  }
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return "node:" + url.slice(5).split("/")[0];
  // The instrumentation package's own build (instrumentation/dist/), reached through the workspace's symlink.
  const library = url.indexOf("/instrumentation/dist/");
  if (library >= 0) return "lookout:instrumentation/" + url.slice(library + "/instrumentation/dist/".length);
  const dist = url.indexOf("/dist/");
  if (dist >= 0)
    return (
      "lookout:" +
      url
        .slice(dist + 6)
        .split("/")
        .slice(0, 2)
        .join("/")
    );
  return url;
}

/** The telemetry's parts, for the cost table of docs/instrumentation.md; everything else is the app and Node. */
export function category(owner: string): string {
  if (/^@opentelemetry\/(otlp-|exporter-)|^@grpc\/|^protobufjs$/.test(owner))
    return "telemetry: OTLP serialisation and export";
  if (/^@opentelemetry\/context-|^node:async_hooks$/.test(owner))
    return "telemetry: context propagation (AsyncLocalStorage)";
  if (
    /^@opentelemetry\/instrumentation|^@fastify\/otel$|in-the-middle$|^shimmer$|^node:diagnostics_channel$/.test(owner)
  ) {
    return "telemetry: auto-instrumentation hooks";
  }
  if (owner.startsWith("@opentelemetry/")) return "telemetry: SDK and API (spans, ids, sampling, batching)";
  if (owner === "prom-client" || owner.startsWith("lookout:instrumentation/"))
    return "telemetry: Lookout's own code (metrics, server spans, helpers)";
  if (owner === "(gc)") return "garbage collection";
  return "the app, its libraries and Node";
}

export function selfTimeByOwner(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const key = owner(node.callFrame);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

function files(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith(".cpuprofile"))
          .map((f) => join(p, f))
      : [p],
  );
}

if (process.argv[1]?.endsWith("profile.js")) {
  const paths = process.argv.slice(2);
  if (paths.length === 0) {
    console.error("usage: node dist-dev/bench/profile.js <file.cpuprofile | folder> [...]");
    process.exit(2);
  }
  for (const file of files(paths)) {
    const totals = selfTimeByOwner(JSON.parse(readFileSync(file, "utf8")) as Profile);
    const busy = [...totals].filter(([k]) => k !== "(idle)").reduce((s, [, v]) => s + v, 0);
    console.log(`\n${file}: busy ${(busy / 1e6).toFixed(2)} s`);
    const categories = new Map<string, number>();
    for (const [key, micros] of totals) {
      if (key !== "(idle)") categories.set(category(key), (categories.get(category(key)) ?? 0) + micros);
    }
    for (const [key, micros] of [...categories].sort((a, b) => b[1] - a[1])) {
      console.log(
        `  ${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${(micros / 1e6).toFixed(2).padStart(6)} s  ${key}`,
      );
    }
    console.log("  by package:");
    for (const [key, micros] of [...totals]
      .filter(([k]) => k !== "(idle)")
      .sort((a, b) => b[1] - a[1])
      .slice(0, 40)) {
      console.log(
        `  ${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${(micros / 1e6).toFixed(2).padStart(6)} s  ${key}`,
      );
    }
  }
}
