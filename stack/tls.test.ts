/** The stack's CA: what it issues, that it is kept, and that a server asking for client certificates trusts it. */
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { ensureStackTls, tlsClientAgent } from "./tls.js";

const dir = mkdtempSync(join(tmpdir(), "lookout-tls-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the stack's certificate authority", () => {
  const tls = ensureStackTls(dir);
  const cert = (file: string) => new X509Certificate(readFileSync(file));

  it("issues a server and a client certificate that its CA signed", () => {
    const ca = cert(tls.caFile);
    expect(ca.ca).toBe(true);
    for (const file of [tls.serverCertFile, tls.clientCertFile]) {
      expect(cert(file).checkIssued(ca)).toBe(true);
      expect(cert(file).verify(ca.publicKey)).toBe(true);
    }
    expect(cert(tls.serverCertFile).subjectAltName).toContain("IP Address:127.0.0.1");
    expect(cert(tls.serverCertFile).subjectAltName).toContain("DNS:jaeger");
  });

  it("keeps what it made, and makes all of it again when a file is missing", () => {
    const before = readFileSync(tls.caFile, "utf8");
    ensureStackTls(dir);
    expect(readFileSync(tls.caFile, "utf8")).toBe(before);
    rmSync(tls.clientKeyFile);
    ensureStackTls(dir);
    expect(readFileSync(tls.caFile, "utf8")).not.toBe(before);
    expect(cert(tls.clientCertFile).checkIssued(cert(tls.caFile))).toBe(true);
  });

  it("gets a client with the certificate through a server that requires one, and nobody else", async () => {
    const server = createServer(
      {
        cert: readFileSync(tls.serverCertFile),
        key: readFileSync(tls.serverKeyFile),
        ca: readFileSync(tls.caFile),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (_req, res) => res.end("in"),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const allowed = await request(url, { dispatcher: tlsClientAgent(tls) });
      expect(await allowed.body.text()).toBe("in");
      const stranger = new Agent({ connect: { ca: readFileSync(tls.caFile) } });
      await expect(request(url, { dispatcher: stranger })).rejects.toThrow();
    } finally {
      server.close();
    }
  });
});
