/** `lookout setup`: installs or builds every tool the stack and the tests use; idempotent and cached by version. */
import { ensureComposeCheck } from "./compose.js";
import { ensureHelm, ensureKubeCheck } from "./helm.js";
import { ensurePythonEnv } from "./python.js";
import {
  ensureCollector,
  ensureDebianPackages,
  ensureJaeger,
  ensureTelemetrygen,
  type Progress,
  runWithProgress,
} from "./tools.js";

export type ToolName =
  "debian" | "python" | "collector" | "jaeger" | "telemetrygen" | "compose-check" | "helm" | "kube-check";
export const ALL_TOOLS: readonly ToolName[] = [
  "debian",
  "python",
  "collector",
  "jaeger",
  "telemetrygen",
  "compose-check",
  "helm",
  "kube-check",
];

/** Installs what is missing: the packages first (quick to fail), then the Go builds, slowest last but one. */
export async function setup(progress: Progress, only: readonly ToolName[] = ALL_TOOLS): Promise<void> {
  const started = Date.now();
  if (only.includes("debian")) await ensureDebianPackages(progress);
  if (only.includes("python")) await ensurePythonEnv(progress, runWithProgress);
  if (only.includes("compose-check")) await ensureComposeCheck(progress);
  if (only.includes("kube-check")) await ensureKubeCheck(progress);
  if (only.includes("helm")) await ensureHelm(progress);
  if (only.includes("telemetrygen")) await ensureTelemetrygen(progress);
  if (only.includes("collector")) await ensureCollector(progress);
  if (only.includes("jaeger")) await ensureJaeger(progress);
  progress(`setup complete in ${Math.round((Date.now() - started) / 1000)}s`);
}
