/** Free loopback ports for tests that start real servers: bound on port 0 by the kernel, then released. */
import { createServer } from "node:net";
import { PORT_SPECS } from "../../stack/ports.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** LOOKOUT_PORT_* variables moving every stack port to a distinct free port. */
export async function freeStackPortEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const used = new Set<number>();
  for (const spec of PORT_SPECS) {
    let port = await freePort();
    while (used.has(port)) port = await freePort();
    used.add(port);
    env[`LOOKOUT_PORT_${spec.key}`] = String(port);
  }
  return env;
}
