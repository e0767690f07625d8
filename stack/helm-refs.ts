/**
 * References between the chart's rendered objects, which neither helm nor a strict decode checks and the API server
 * accepts: a pod that mounts a ConfigMap or claim the chart does not render, a ServiceAccount, Role or HPA target
 * that is not there, a Service whose selector matches no pod or whose named target port no container has. Secrets
 * are left out: they come from the cluster (values `credentials`), not from the chart.
 */
import type { Manifest } from "./spec.js";

interface PodSpec {
  serviceAccountName?: string;
  volumes?: { name: string; configMap?: { name: string }; persistentVolumeClaim?: { claimName: string } }[];
  containers?: { name: string; ports?: { name?: string; containerPort: number }[] }[];
}

interface Workload {
  kind: string;
  name: string;
  labels: Record<string, string>;
  pod: PodSpec;
}

function workloads(manifests: Manifest[]): Workload[] {
  return manifests
    .filter((m) => ["Deployment", "StatefulSet", "DaemonSet"].includes(m.kind))
    .map((m) => {
      const template = m.spec?.template as { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };
      return { kind: m.kind, name: m.metadata.name, labels: template.metadata?.labels ?? {}, pod: template.spec ?? {} };
    });
}

/** Each reference that does not resolve, as a sentence naming both ends. */
export function danglingReferences(manifests: Manifest[]): string[] {
  const names = (kind: string) => new Set(manifests.filter((m) => m.kind === kind).map((m) => m.metadata.name));
  const configMaps = names("ConfigMap");
  const claims = names("PersistentVolumeClaim");
  const accounts = names("ServiceAccount");
  const roles = names("Role");
  const problems: string[] = [];
  const pods = workloads(manifests);
  for (const { kind, name, pod } of pods) {
    for (const volume of pod.volumes ?? []) {
      if (volume.configMap && !configMaps.has(volume.configMap.name)) {
        problems.push(`${kind} ${name}: volume ${volume.name} mounts ConfigMap ${volume.configMap.name}, not rendered`);
      }
      const claim = volume.persistentVolumeClaim?.claimName;
      if (claim && !claims.has(claim))
        problems.push(`${kind} ${name}: volume ${volume.name} claims ${claim}, not rendered`);
    }
    if (pod.serviceAccountName && !accounts.has(pod.serviceAccountName)) {
      problems.push(`${kind} ${name}: ServiceAccount ${pod.serviceAccountName} is not rendered`);
    }
  }
  for (const binding of manifests.filter((m) => m.kind === "RoleBinding")) {
    const spec = binding as unknown as { roleRef: { name: string }; subjects?: { kind: string; name: string }[] };
    if (!roles.has(spec.roleRef.name))
      problems.push(`RoleBinding ${binding.metadata.name}: Role ${spec.roleRef.name} is not rendered`);
    for (const subject of spec.subjects ?? []) {
      if (subject.kind === "ServiceAccount" && !accounts.has(subject.name)) {
        problems.push(`RoleBinding ${binding.metadata.name}: ServiceAccount ${subject.name} is not rendered`);
      }
    }
  }
  for (const hpa of manifests.filter((m) => m.kind === "HorizontalPodAutoscaler")) {
    const target = hpa.spec?.scaleTargetRef as { kind: string; name: string };
    if (!pods.some((w) => w.kind === target.kind && w.name === target.name)) {
      problems.push(`HorizontalPodAutoscaler ${hpa.metadata.name}: ${target.kind} ${target.name} is not rendered`);
    }
  }
  for (const service of manifests.filter((m) => m.kind === "Service")) {
    const selector = (service.spec?.selector ?? {}) as Record<string, string>;
    const selected = pods.filter((w) => Object.entries(selector).every(([k, v]) => w.labels[k] === v));
    if (selected.length === 0) {
      problems.push(`Service ${service.metadata.name}: its selector matches no pod the chart renders`);
      continue;
    }
    for (const port of (service.spec?.ports ?? []) as { name?: string; targetPort?: string | number }[]) {
      if (typeof port.targetPort !== "string") continue;
      const has = selected.some((w) =>
        (w.pod.containers ?? []).some((c) => (c.ports ?? []).some((p) => p.name === port.targetPort)),
      );
      if (!has)
        problems.push(`Service ${service.metadata.name}: no selected container has a port named ${port.targetPort}`);
    }
  }
  return problems;
}
