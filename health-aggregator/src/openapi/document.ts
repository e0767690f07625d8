/**
 * The committed API files, generated from the routes: health-aggregator/openapi.json (the document GET
 * /api/openapi.json serves) and api-client/schema.ts (its TypeScript types, by openapi-typescript, which the client
 * package is typed with). `lookout api build` writes both; `lookout api check` and openapi/document.test.ts fail when
 * either disagrees with the routes.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT } from "../../../shared/index.js";
import { Aggregator } from "../aggregator.js";
import { buildApp } from "../app.js";
import type { AggregatorSettings } from "../config.js";
import { parseConfig } from "../config/load.js";
import { ManualClock } from "../engine/manual-clock.js";

export const OPENAPI_FILE = join(REPO_ROOT, "health-aggregator", "openapi.json");
export const CLIENT_TYPES_FILE = join(REPO_ROOT, "api-client", "schema.ts");
export const API_BUILD_COMMAND = "node bin/lookout.mjs api build";

/** Where the generated files go; a test points them elsewhere. */
export interface ApiFiles {
  document: string;
  types: string;
}
const COMMITTED: ApiFiles = { document: OPENAPI_FILE, types: CLIENT_TYPES_FILE };

/** An OpenAPI document as JSON; its shape is checked by the validator in the test, not by a type here. */
export type OpenApiDocument = Record<string, unknown>;

/** A config with the one target a config must have; nothing is checked while the document is generated. */
const CONFIG = `targets:
  - { id: example, name: Example, system: Example, instances: [{ name: main, tcp: { host: 127.0.0.1, port: 9 } }] }
`;

/**
 * The document of an app built from a minimal config: the routes and their schemas do not depend on the config, so
 * any aggregator gives the same document (the test compares it with the one a configured app serves).
 */
export async function openApiDocument(version = "0.1.0"): Promise<OpenApiDocument> {
  const aggregator = new Aggregator({
    config: parseConfig(CONFIG, "openapi.yml", {}),
    dataDir: ":memory:",
    clock: new ManualClock(0),
  });
  const settings: AggregatorSettings = {
    host: "127.0.0.1",
    port: 0,
    metricsToken: "unused-while-generating",
    adminToken: "unused-while-generating",
    version,
    configPath: "openapi.yml",
    dataDir: ":memory:",
  };
  const app = buildApp({ settings, aggregator });
  try {
    await app.ready();
    return app.swagger() as unknown as OpenApiDocument;
  } finally {
    await app.close();
    await aggregator.close();
  }
}

/** The text written for the document: two-space indent, trailing newline. */
export function openApiJson(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** api-client/schema.ts for a document. openapi-typescript is loaded here only: it is a build tool (a devDependency). */
export async function clientTypes(document: OpenApiDocument): Promise<string> {
  const { default: openapiTS, astToString } = await import("openapi-typescript");
  const ast = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0], { alphabetize: false });
  return (
    `// Generated from health-aggregator/openapi.json by \`${API_BUILD_COMMAND}\` (openapi-typescript): do not edit.\n` +
    astToString(ast)
  );
}

async function expectedFiles(files: ApiFiles): Promise<Map<string, string>> {
  const document = await openApiDocument();
  return new Map([
    [files.document, openApiJson(document)],
    [files.types, await clientTypes(document)],
  ]);
}

/** Writes both files; returns their paths. */
export async function writeApiFiles(files = COMMITTED): Promise<string[]> {
  const expected = await expectedFiles(files);
  for (const [path, text] of expected) writeFileSync(path, text);
  return [...expected.keys()];
}

/** The committed files that are missing or differ from what the routes generate, each with the command to fix it. */
export async function apiDrift(files = COMMITTED): Promise<string[]> {
  const problems: string[] = [];
  for (const [path, text] of await expectedFiles(files)) {
    const name = relative(REPO_ROOT, path);
    if (!existsSync(path)) problems.push(`${name}: missing (run \`${API_BUILD_COMMAND}\`)`);
    else if (readFileSync(path, "utf8") !== text)
      problems.push(`${name}: differs from what the aggregator's routes generate (run \`${API_BUILD_COMMAND}\`)`);
  }
  return problems;
}
