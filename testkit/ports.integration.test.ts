import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import {
  candidateRanges,
  ephemeralPortRange,
  freeStackPortEnv,
  isAddressInUse,
  PortRegistry,
  withPortRetry,
} from "./ports.js";
import { PORT_SPECS } from "../stack/index.js";
import { transpileTree } from "./transpile.js";

const scratch = mkdtempSync(join(tmpdir(), "lookout-free-ports-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const registryDir = () => join(scratch, `registry-${dirs++}`);

describe("ephemeralPortRange", () => {
  it("reads the kernel's range", () => {
    const file = join(scratch, "range");
    writeFileSync(file, "40000\t50000\n");
    expect(ephemeralPortRange(file)).toEqual({ low: 40000, high: 50000 });
  });

  it("falls back to Linux's default when the file is missing or garbled", () => {
    expect(ephemeralPortRange(join(scratch, "missing"))).toEqual({ low: 32768, high: 60999 });
    const file = join(scratch, "garbled");
    writeFileSync(file, "lots of ports\n");
    expect(ephemeralPortRange(file)).toEqual({ low: 32768, high: 60999 });
  });

  it("matches this machine's /proc", () => {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    expect(ephemeralPortRange()).toEqual({ low, high });
  });
});

describe("candidateRanges", () => {
  it("is everything from 10000 up that is not ephemeral", () => {
    expect(candidateRanges({ low: 32768, high: 60999 })).toEqual([
      { low: 10000, high: 32767 },
      { low: 61000, high: 65535 },
    ]);
    expect(candidateRanges({ low: 1024, high: 65535 })).toEqual([]);
    expect(candidateRanges({ low: 20000, high: 65535 })).toEqual([{ low: 10000, high: 19999 }]);
  });
});

describe("PortRegistry", () => {
  it("gives ports outside the ephemeral range that are not the stack's defaults", async () => {
    const ephemeral = ephemeralPortRange();
    const registry = new PortRegistry({ dir: registryDir() });
    const ports: number[] = [];
    for (let i = 0; i < 200; i++) ports.push(await registry.reserve());
    expect(new Set(ports).size).toBe(200);
    const defaults = new Set<number>(PORT_SPECS.map((s) => s.defaultPort));
    for (const port of ports) {
      expect(port >= ephemeral.low && port <= ephemeral.high, `${port} is ephemeral`).toBe(false);
      expect(port).toBeGreaterThanOrEqual(10000);
      expect(defaults.has(port)).toBe(false);
    }
    registry.releaseAll();
  });

  it("skips a port something outside the registry listens on", async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(23456, "127.0.0.1", () => r()));
    try {
      // The random source points at 23456 first, then at 23457.
      const picks = [23456 - 10000, 23457 - 10000].map((offset) => (offset + 0.5) / (65535 - 10000 + 1 - 28232));
      const registry = new PortRegistry({
        dir: registryDir(),
        ephemeral: { low: 32768, high: 60999 },
        random: () => picks.shift() ?? 0.99,
      });
      expect(await registry.reserve()).toBe(23457);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("never gives a port another live process holds, and takes over one whose process is gone", async () => {
    const dir = registryDir();
    const always = (port: number) => () => (port - 10000 + 0.5) / (65535 - 10000 + 1 - 28232);
    const first = new PortRegistry({ dir, ephemeral: { low: 32768, high: 60999 }, random: always(24000) });
    expect(await first.reserve()).toBe(24000);
    // Same machine, same port wanted: refused while the owner lives (this process).
    const second = new PortRegistry({ dir, ephemeral: { low: 32768, high: 60999 }, random: always(24000) });
    await expect(second.reserve()).rejects.toThrow("no free port found");
    // An owner that is gone: a pid that cannot exist (above pid_max).
    writeFileSync(join(dir, "24001"), "4194305 1");
    const third = new PortRegistry({ dir, ephemeral: { low: 32768, high: 60999 }, random: always(24001) });
    expect(await third.reserve()).toBe(24001);
    expect(readFileSync(join(dir, "24001"), "utf8").split(" ")[0]).toBe(String(process.pid));
    first.release(24000);
    expect(existsSync(join(dir, "24000"))).toBe(false);
  });

  it("hands out disjoint ports to processes allocating at the same time", async () => {
    const dir = registryDir();
    const compiled = transpileTree("testkit/ports.ts");
    onTestFinished(() => rmSync(compiled.dir, { recursive: true, force: true }));
    const script = `
      import { PortRegistry } from ${JSON.stringify(compiled.module)};
      const registry = new PortRegistry({ dir: ${JSON.stringify(dir)}, ephemeral: { low: 12000, high: 65535 } });
      const ports = [];
      for (let i = 0; i < 150; i++) ports.push(await registry.reserve());
      process.stdout.write(JSON.stringify(ports));
      await new Promise((r) => process.stdin.once("data", r)); // hold them until told
    `;
    // 4 processes × 150 ports out of the 2,000 in [10000, 12000): collisions are certain unless the registry works.
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["pipe", "pipe", "inherit"] }),
    );
    const results = await Promise.all(
      children.map(
        (child) =>
          new Promise<number[]>((resolve, reject) => {
            let out = "";
            child.stdout.on("data", (c: Buffer) => {
              out += c.toString();
              try {
                resolve(JSON.parse(out) as number[]);
              } catch {
                /* not all of it yet */
              }
            });
            child.once("exit", (code) => reject(new Error(`allocator exited with ${code}: ${out}`)));
          }),
      ),
    );
    for (const child of children) child.stdin.end("done\n");
    const all = results.flat();
    expect(all.length).toBe(600);
    expect(new Set(all).size).toBe(600);
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(0) : c.once("exit", r)))));
  });

  it("gives a whole stack distinct ports", async () => {
    const env = await freeStackPortEnv();
    expect(Object.keys(env).length).toBe(PORT_SPECS.length);
    expect(new Set(Object.values(env)).size).toBe(PORT_SPECS.length);
  });
});

describe("withPortRetry", () => {
  it("runs a start again with new ports when a bind failed, saying so, and stops after the bound", async () => {
    const lines: string[] = [];
    let calls = 0;
    const result = await withPortRetry(
      "collector stack",
      (attempt) => {
        calls++;
        if (attempt < 3) {
          throw new Error(
            `collector did not become ready\n  | Error: listen tcp 127.0.0.1:${39260 + attempt}: bind: address already in use`,
          );
        }
        return Promise.resolve("up");
      },
      { attempts: 3, log: (l) => lines.push(l) },
    );
    expect(result).toBe("up");
    expect(calls).toBe(3);
    expect(lines).toEqual([
      "collector stack: a port was taken (| Error: listen tcp 127.0.0.1:39261: bind: address already in use); retrying with new ports (attempt 2 of 3)",
      "collector stack: a port was taken (| Error: listen tcp 127.0.0.1:39262: bind: address already in use); retrying with new ports (attempt 3 of 3)",
    ]);
    await expect(
      withPortRetry("again", () => Promise.reject(new Error("bind: address already in use")), {
        attempts: 2,
        log: () => {},
      }),
    ).rejects.toThrow("address already in use");
  });

  it("does not retry other failures", async () => {
    let calls = 0;
    await expect(
      withPortRetry("x", () => {
        calls++;
        return Promise.reject(new Error("initdb failed"));
      }),
    ).rejects.toThrow("initdb failed");
    expect(calls).toBe(1);
  });

  it("recognises the ways a taken port is reported", () => {
    expect(isAddressInUse(Object.assign(new Error("listen"), { code: "EADDRINUSE" }))).toBe(true);
    expect(isAddressInUse(new Error("bind: address already in use"))).toBe(true);
    expect(isAddressInUse(new Error("port 9090 (prometheus: UI) is already in use"))).toBe(true);
    expect(isAddressInUse(new Error("connection refused"))).toBe(false);
  });
});
