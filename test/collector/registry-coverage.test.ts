/**
 * Redaction by semantic convention: every attribute of the OpenTelemetry semantic-conventions registry (the npm
 * package @opentelemetry/semantic-conventions, pinned in package.json; its `incubating` entry exports every registry
 * attribute as an ATTR_* constant, templates as functions of the key) that can carry a URL, a query, a header, a
 * body, a statement, an identity, an address or free text must be named by a policy of gateway.yaml's
 * lookout_redaction section that fits its kind. A new registry version with a new such attribute fails here, naming
 * it, until someone decides its policy.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as registry from "@opentelemetry/semantic-conventions/incubating";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../shared/index.js";
import { effectivePolicy, loadKeyPolicies, type Policy, POLICIES, policiesOf } from "./policies.js";

const SEMCONV = "@opentelemetry/semantic-conventions";

/** The registry version: the one package.json pins, and the one installed (npm ci keeps them equal). */
const REGISTRY_VERSION = (() => {
  const read = (file: string) => JSON.parse(readFileSync(join(REPO_ROOT, file), "utf8")) as Record<string, unknown>;
  const pinned = (read("package.json")["devDependencies"] as Record<string, string>)[SEMCONV];
  const installed = read(`node_modules/${SEMCONV}/package.json`)["version"];
  if (!pinned || !/^\d+\.\d+\.\d+$/.test(pinned) || pinned !== installed) {
    throw new Error(
      `${SEMCONV}: package.json must pin an exact version (has ${pinned}), installed ${String(installed)}; run npm ci`,
    );
  }
  return pinned;
})();

/** Header (and gRPC metadata) names a template is instantiated with, by what they carry. */
const HEADER_NAMES = {
  credential: [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-auth-token",
    "www-authenticate",
  ],
  clientAddress: ["x-forwarded-for", "forwarded", "x-real-ip"],
  url: ["referer", "location"],
  other: ["user-agent", "content-type", "accept", "x-request-id"],
};
/** Each header name as JS instrumentations write it and as Python's write it ("-" → "_"). */
const headerSpellings = (names: string[]) => [...new Set(names.flatMap((n) => [n, n.replaceAll("-", "_")]))];
const HEADER_NAMES_COUNT = headerSpellings(Object.values(HEADER_NAMES).flat()).length;
const HEADER_TEMPLATE = /^(?:http|rpc)\.(?:[a-z_]+\.)?(?:request|response)\.(?:header|metadata|trailer)\.$/;

/**
 * The kinds, first match wins, each with the policies that fit it. `fits: "any"` means any named decision will do
 * (including "ignored" for an enumeration): the attribute is of a sensitive namespace but its value is a name.
 */
const KINDS: { kind: string; test: RegExp; fits: Policy[] | "any" }[] = [
  { kind: "credential header", test: headerRe(HEADER_NAMES.credential), fits: ["masked whole"] },
  { kind: "client-address header", test: headerRe(HEADER_NAMES.clientAddress), fits: ["client address"] },
  { kind: "URL header", test: headerRe(HEADER_NAMES.url), fits: ["URL"] },
  { kind: "header", test: headerRe(HEADER_NAMES.other), fits: ["value rules", "free text", "masked whole"] },
  { kind: "URL", test: /(?:^|\.)url(?:\.full|\.original)?$|^http\.target$/, fits: ["URL"] },
  { kind: "query", test: /^url\.(?:query|fragment)$|(?:^|\.)query$/, fits: ["query"] },
  { kind: "statement", test: /^db\.(?:query\.text|statement)$/, fits: ["statement"] },
  { kind: "statement parameter", test: /^db\.(?:query|operation)\.parameter\./, fits: ["masked whole"] },
  { kind: "identity", test: /^(?:user|enduser)\.(?:id|name|full_name|email|hash|pseudo\.id)$/, fits: ["user id"] },
  {
    kind: "client address",
    test: /^(?:client\.address|network\.peer\.address|source\.address|http\.client_ip)$|\.mac\.address$/,
    fits: ["client address"],
  },
  {
    kind: "free text",
    test: /^exception\.(?:message|stacktrace)$|\.body\.content$|^messaging\..*(?:body|payload)$|^gen_ai\.(?:.*\.)?(?:prompt|completion|messages|system_instructions|arguments|result)$|^gen_ai\.retrieval\.query\.text$/,
    fits: ["free text"],
  },
  {
    kind: "other of a sensitive namespace",
    test: /^(?:url|http|user|enduser)\.|\.address(?:es)?$|\.query\.|\.body$|\.payload$/,
    fits: "any",
  },
];

/** Numbers and booleans carry no text: sizes, ports, status codes, counts, flags. */
const NUMERIC =
  /(?:\.|_)(?:size|port|status_code|resend_count|content_length(?:_uncompressed)?|idempotent|publish_not_ready_addresses|address_type)$/;

function headerRe(names: string[]): RegExp {
  return new RegExp(
    `^(?:http|rpc)\\.(?:[a-z_]+\\.)?(?:request|response)\\.(?:header|metadata|trailer)\\.(?:${headerSpellings(names).join("|")})$`,
  );
}

/**
 * Every registry attribute name, mapped to its registry entry; a template (`http.request.header.<key>`) becomes one
 * name per header name (or one example key).
 */
function registryAttributes(): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, value] of Object.entries(registry)) {
    if (!name.startsWith("ATTR_")) continue;
    if (typeof value === "string") names.set(value, value);
    else if (typeof value === "function") {
      const template = value("");
      const keys = HEADER_TEMPLATE.test(template) ? headerSpellings(Object.values(HEADER_NAMES).flat()) : ["example"];
      for (const key of keys) names.set(template + key, `${template}<key>`);
    }
  }
  return new Map([...names].sort(([a], [b]) => a.localeCompare(b)));
}

describe(`registry coverage (semantic conventions ${REGISTRY_VERSION})`, () => {
  it("gives every attribute that can carry PII a policy of gateway.yaml that fits its kind", () => {
    const policies = loadKeyPolicies();
    const all = registryAttributes();
    const uncovered: string[] = [];
    const misfit: string[] = [];
    const byKind = new Map<string, number>();
    const entries = new Map<string, boolean>(); // registry entry of a PII kind → every instantiation fits
    let candidates = 0;
    for (const [attr, entry] of all) {
      if (NUMERIC.test(attr)) continue;
      const kind = KINDS.find((k) => k.test.test(attr));
      if (!kind) continue;
      candidates++;
      byKind.set(kind.kind, (byKind.get(kind.kind) ?? 0) + 1);
      const applied = effectivePolicy(policies, attr);
      const fits = applied !== undefined && (kind.fits === "any" || kind.fits.includes(applied));
      entries.set(entry, (entries.get(entry) ?? true) && fits);
      if (applied === undefined) uncovered.push(`${attr} (${kind.kind})`);
      else if (!fits) {
        misfit.push(
          `${attr} (${kind.kind}) gets "${applied}", want ${(kind.fits as Policy[]).map((f) => `"${f}"`).join(" or ")}`,
        );
      }
    }
    const covered = candidates - uncovered.length - misfit.length;
    const policyCounts = POLICIES.map((p) => `${p} ${policies.counts[p].keys}+${policies.counts[p].patterns}`).join(
      ", ",
    );
    console.log(
      `registry ${REGISTRY_VERSION}: ${new Set(all.values()).size} attributes, ${entries.size} of the kinds that can ` +
        `carry PII, ${[...entries.values()].filter(Boolean).length} covered by a fitting policy; with templates ` +
        `instantiated (${HEADER_NAMES_COUNT} header names): ${candidates} keys, ${covered} covered; by kind: ` +
        [...byKind].map(([k, n]) => `${k} ${n}`).join(", "),
    );
    console.log(`gateway.yaml policies (exact keys + key patterns): ${policyCounts}`);
    expect(uncovered, "registry attributes no policy of gateway.yaml's lookout_redaction names").toEqual([]);
    expect(misfit, "registry attributes whose policy does not fit their kind").toEqual([]);
    expect(candidates).toBeGreaterThan(80);
  });

  it("reads key patterns as the processor does", () => {
    const policies = loadKeyPolicies();
    // Case-insensitive credential headers, an exact ignored key that a pattern would otherwise take, and the
    // strongest of several policies.
    expect(effectivePolicy(policies, "http.request.header.Authorization")).toBe("masked whole");
    expect([...policiesOf(policies, "http.request.header.referer")].sort()).toEqual(["URL", "value rules"]);
    expect(effectivePolicy(policies, "url.scheme")).toBe("ignored");
    expect(effectivePolicy(policies, "app.note")).toBeUndefined();
  });
});
