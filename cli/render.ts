/**
 * `lookout render --out DIR`, what compose's one-shot lookout-config service runs: Prometheus's and Alertmanager's
 * configs with their `${NAME}` placeholders filled from the environment, the basic-auth web configuration, and the
 * stack's CA and certificates — everything the containers read from the rendered volume.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LookoutError, REPO_ROOT } from "../shared/index.js";
import { renderFile, ensureStackTls, writeWebConfig } from "../stack/index.js";

const MIN_PASSWORD_CHARS = 16;

/** The web password from the file LOOKOUT_WEB_PASSWORD_FILE names; refused before anything is written. */
function webPassword(env: NodeJS.ProcessEnv): string {
  const file = env.LOOKOUT_WEB_PASSWORD_FILE?.trim();
  if (!file)
    throw new LookoutError("LOOKOUT_ERR_CONFIG", "render needs LOOKOUT_WEB_PASSWORD_FILE (the web password's file)");
  let password: string;
  try {
    password = readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new LookoutError("LOOKOUT_ERR_CONFIG", `LOOKOUT_WEB_PASSWORD_FILE=${file}: ${(error as Error).message}`);
  }
  if (password.length < MIN_PASSWORD_CHARS) {
    throw new LookoutError(
      "LOOKOUT_ERR_CONFIG",
      `${file}: the web password needs at least ${MIN_PASSWORD_CHARS} characters`,
    );
  }
  return password;
}

export function renderConfigs(dir: string, env: NodeJS.ProcessEnv, out: (line: string) => void): void {
  const password = webPassword(env);
  mkdirSync(dir, { recursive: true });
  for (const template of [
    join(REPO_ROOT, "prometheus", "prometheus.yml"),
    join(REPO_ROOT, "alerts", "alertmanager.yml"),
  ]) {
    out(`rendered ${renderFile(template, dir, env)}`);
  }
  // Readable by the containers' own users (Prometheus, Alertmanager and the exporters run as nobody): a hash only.
  const webConfig = join(dir, "web-config.yml");
  writeWebConfig(webConfig, password, 0o644);
  out(`rendered ${webConfig}`);
  // Kept once created; the keys readable by the containers' own users, the only ones mounting this volume.
  out(`certificates in ${ensureStackTls(dir, 0o644).dir}`);
}
