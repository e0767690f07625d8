/** Health checks of downstream demo services: their /health must answer 200 (healthy or degraded). */
import { request } from "undici";
import type { FaultInjector } from "./faults.js";

export function healthOf(baseUrl: string, name: string, faults: FaultInjector): () => Promise<void> {
  return async () => {
    faults.guard(name);
    // The health monitor reports a hang after its own timeout; this bound only frees the socket eventually.
    const response = await request(`${baseUrl}/health`, { headersTimeout: 30_000, bodyTimeout: 30_000 });
    await response.body.dump();
    if (response.statusCode !== 200) throw new Error(`${name} /health answered ${response.statusCode}`);
  };
}
