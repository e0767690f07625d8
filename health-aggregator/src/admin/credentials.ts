/** The admin API's credentials and its Alertmanager client, built from the config at start and on every reload. */
import type { AggregatorConfig, JwtConfig } from "../config/load.js";
import { AlertmanagerClient } from "./alertmanager.js";
import { JwtVerifier } from "./jwt.js";

/** The admin API's collaborators, rebuilt from config at start and on every reload. */
export interface AdminParts {
  jwtConfig: JwtConfig | undefined;
  verifier: JwtVerifier | undefined;
  alertmanager: AlertmanagerClient | undefined;
}

export function adminParts(config: AggregatorConfig, env: NodeJS.ProcessEnv): AdminParts {
  const { jwt, alertmanager } = config.admin;
  return {
    jwtConfig: jwt,
    // Reads the HS256 secret now, so a missing or short secret fails the start or the reload, not a request.
    verifier: jwt ? new JwtVerifier(jwt, env) : undefined,
    alertmanager: alertmanager
      ? new AlertmanagerClient(alertmanager.url, alertmanager.timeoutMs, alertmanager.headers)
      : undefined,
  };
}
