/**
 * The stack's own certificate authority, for the listeners whose tool authenticates only by TLS client certificate:
 * Jaeger's query API and UI, its OTLP receiver, and the Redis exporter. Generated once per LOOKOUT_HOME under
 * secrets/tls/ (keys mode 0600), reused until a month before it expires; nothing of it is in the repository.
 *
 * - ca.pem: the CA certificate both sides trust (server and client certificates are signed by it);
 * - server.pem / server-key.pem: presented by the listeners (127.0.0.1, localhost and the compose service names);
 * - client.pem / client-key.pem: presented by Lookout's own clients (the collector, Prometheus, the tests, Grafana).
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import forge from "node-forge";
import { Agent } from "undici";

export interface StackTls {
  readonly dir: string;
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

const VALID_DAYS = 825;
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
/** Names the server certificate holds: loopback for the native stack, service names for compose. */
const SERVER_NAMES = ["localhost", "jaeger", "redis-exporter"];

export function stackTlsFiles(secretsDir: string): StackTls {
  const dir = join(secretsDir, "tls");
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    serverCertFile: join(dir, "server.pem"),
    serverKeyFile: join(dir, "server-key.pem"),
    clientCertFile: join(dir, "client.pem"),
    clientKeyFile: join(dir, "client-key.pem"),
  };
}

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()),
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: "pkcs1", format: "pem" }).toString()),
  };
}

function certificate(
  subjectCn: string,
  publicKey: forge.pki.PublicKey,
  issuer: { cn: string; key: forge.pki.rsa.PrivateKey },
  extensions: object[],
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(15).toString("hex")}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 3600 * 1000);
  cert.validity.notAfter = new Date(now + VALID_DAYS * 24 * 3600 * 1000);
  cert.setSubject([{ name: "commonName", value: subjectCn }]);
  cert.setIssuer([{ name: "commonName", value: issuer.cn }]);
  cert.setExtensions(extensions);
  cert.sign(issuer.key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function fresh(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return new Date(new X509Certificate(readFileSync(file)).validTo).getTime() - Date.now() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

function write(file: string, text: string, mode: number): void {
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, text, { mode });
  chmodSync(staging, mode);
  renameSync(staging, file);
}

/**
 * Creates the CA and both certificates when any is missing or near its end, else keeps them. keyMode is 0600 for
 * the native stack; compose's one-shot renderer passes 0644 so the containers' own users can read the keys from the
 * volume only they mount.
 */
export function ensureStackTls(secretsDir: string, keyMode = 0o600): StackTls {
  const files = stackTlsFiles(secretsDir);
  const all = [files.caFile, files.serverCertFile, files.clientCertFile];
  if (all.every(fresh) && existsSync(files.serverKeyFile) && existsSync(files.clientKeyFile)) return files;
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });

  const ca = keyPair();
  const caCn = `Lookout stack CA ${randomBytes(4).toString("hex")}`;
  const caPem = certificate(caCn, ca.publicKey, { cn: caCn, key: ca.privateKey }, [
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
  ]);
  const server = keyPair();
  const serverPem = certificate("lookout-server", server.publicKey, { cn: caCn, key: ca.privateKey }, [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [{ type: 7, ip: "127.0.0.1" }, ...SERVER_NAMES.map((value) => ({ type: 2, value }))],
    },
  ]);
  const client = keyPair();
  const clientPem = certificate("lookout", client.publicKey, { cn: caCn, key: ca.privateKey }, [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", clientAuth: true },
  ]);
  // The CA's key signs only these two; it is not kept, so nothing else can ever be issued under this CA.
  write(files.serverKeyFile, server.privatePem, keyMode);
  write(files.clientKeyFile, client.privatePem, keyMode);
  write(files.serverCertFile, serverPem, 0o644);
  write(files.clientCertFile, clientPem, 0o644);
  write(files.caFile, caPem, 0o644);
  return files;
}

/** An undici dispatcher that trusts the stack's CA and presents its client certificate. */
export function tlsClientAgent(tls: StackTls): Agent {
  return new Agent({
    connect: {
      ca: readFileSync(tls.caFile),
      cert: readFileSync(tls.clientCertFile),
      key: readFileSync(tls.clientKeyFile),
    },
  });
}

/** Where Prometheus finds the CA and client certificate (prometheus/prometheus.yml). */
export function tlsClientRenderValues(tls: StackTls): Record<string, string> {
  return {
    LOOKOUT_TLS_CA_FILE: tls.caFile,
    LOOKOUT_TLS_CLIENT_CERT_FILE: tls.clientCertFile,
    LOOKOUT_TLS_CLIENT_KEY_FILE: tls.clientKeyFile,
  };
}

/** The environment Jaeger and the collector read their certificates from (jaeger/config.yaml, gateway.yaml). */
export function tlsEnv(tls: StackTls): Record<string, string> {
  return {
    LOOKOUT_TLS_CA_FILE: tls.caFile,
    LOOKOUT_TLS_SERVER_CERT_FILE: tls.serverCertFile,
    LOOKOUT_TLS_SERVER_KEY_FILE: tls.serverKeyFile,
    LOOKOUT_TLS_CLIENT_CERT_FILE: tls.clientCertFile,
    LOOKOUT_TLS_CLIENT_KEY_FILE: tls.clientKeyFile,
  };
}
