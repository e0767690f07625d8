/**
 * The model catalogue the demo shares: NeuroWeaver serves the `neuroweaver` models with these latency and length
 * profiles; RelayCore routes by their prices, speed and capabilities, and falls back to the `external` provider.
 * Profiles are log-normal (medians and spreads loosely after public throughput figures for models of these sizes).
 *
 * The catalogue itself is demo/shared/models.json, which the Python services (demo/python/lookout_demo/models.py)
 * read too: one list of models for both languages.
 */
import { readFileSync } from "node:fs";

export type Task = "chat" | "classify" | "summarize" | "extract";

export interface ModelProfile {
  name: string;
  provider: "neuroweaver" | "external";
  capabilities: readonly Task[];
  /** USD per 1,000 tokens. */
  inputPricePer1k: number;
  outputPricePer1k: number;
  /** Time to first token, median milliseconds. */
  firstTokenMs: number;
  /** Milliseconds per output token. */
  perTokenMs: number;
  /** Output tokens: median and log-normal sigma. */
  outputTokensMedian: number;
  outputTokensSigma: number;
}

const TASKS: readonly Task[] = ["chat", "classify", "summarize", "extract"];
const NUMBER_FIELDS = [
  "inputPricePer1k",
  "outputPricePer1k",
  "firstTokenMs",
  "perTokenMs",
  "outputTokensMedian",
  "outputTokensSigma",
] as const;

/**
 * models.json beside this file when run from source (demo/shared/), or in the source tree when run compiled
 * (dist/demo/shared/ is three levels below the repository root): tsc does not copy JSON it does not import.
 */
const CATALOGUE_CANDIDATES = [
  new URL("./models.json", import.meta.url),
  new URL("../../../demo/shared/models.json", import.meta.url),
];

function readCatalogue(): { text: string; url: URL } {
  for (const url of CATALOGUE_CANDIDATES) {
    try {
      return { text: readFileSync(url, "utf8"), url };
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") throw error;
    }
  }
  throw new Error(`model catalogue not found; looked for ${CATALOGUE_CANDIDATES.map((u) => u.pathname).join(", ")}`);
}

/** The catalogue's models, checked field by field: a typo in models.json stops the service naming the model and field. */
function parseCatalogue(text: string, source: string): ModelProfile[] {
  const parsed = JSON.parse(text) as { models?: unknown };
  if (!Array.isArray(parsed.models)) throw new Error(`${source}: /models must be an array`);
  return parsed.models.map((entry: unknown, index: number) => {
    const at = `${source}: /models/${index}`;
    if (typeof entry !== "object" || entry === null) throw new Error(`${at} must be an object`);
    const m = entry as Record<string, unknown>;
    if (typeof m.name !== "string" || m.name === "") throw new Error(`${at}/name must be a non-empty string`);
    if (m.provider !== "neuroweaver" && m.provider !== "external") {
      throw new Error(`${at}/provider must be "neuroweaver" or "external"`);
    }
    if (!Array.isArray(m.capabilities) || !m.capabilities.every((c) => TASKS.includes(c as Task))) {
      throw new Error(`${at}/capabilities must list tasks from ${TASKS.join(", ")}`);
    }
    for (const field of NUMBER_FIELDS) {
      const value = m[field];
      if (typeof value !== "number" || !(value >= 0)) throw new Error(`${at}/${field} must be a number ≥ 0`);
    }
    const numbers = Object.fromEntries(NUMBER_FIELDS.map((field) => [field, m[field] as number]));
    return Object.freeze({
      name: m.name,
      provider: m.provider,
      capabilities: Object.freeze([...(m.capabilities as Task[])]),
      ...numbers,
    }) as ModelProfile;
  });
}

const catalogue = readCatalogue();
export const MODELS: readonly ModelProfile[] = Object.freeze(parseCatalogue(catalogue.text, catalogue.url.pathname));

export function model(name: string): ModelProfile | undefined {
  return MODELS.find((m) => m.name === name);
}

/** Rough token count of a prompt: ~4 characters per token, as tokenizers average on English text. */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** A standard normal sample (Box–Muller). */
function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A log-normal sample with this median and sigma. */
export function logNormal(median: number, sigma: number, random: () => number = Math.random): number {
  return median * Math.exp(sigma * gaussian(random));
}

/** Output tokens and generation time for one response (latencyScale 0 makes it instant, for benchmarks). */
export function simulateGeneration(
  profile: ModelProfile,
  maxTokens: number,
  latencyScale: number,
  random: () => number = Math.random,
): { outputTokens: number; latencyMs: number } {
  const outputTokens = Math.max(
    1,
    Math.min(maxTokens, Math.round(logNormal(profile.outputTokensMedian, profile.outputTokensSigma, random))),
  );
  const latencyMs = (logNormal(profile.firstTokenMs, 0.3, random) + outputTokens * profile.perTokenMs) * latencyScale;
  return { outputTokens, latencyMs };
}

export function costUsd(profile: ModelProfile, inputTokens: number, outputTokens: number): number {
  const cost = (inputTokens * profile.inputPricePer1k + outputTokens * profile.outputPricePer1k) / 1000;
  return Math.round(cost * 1e8) / 1e8;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
