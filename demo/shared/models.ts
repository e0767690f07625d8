/**
 * The model catalogue the demo shares: NeuroWeaver serves the `neuroweaver` models with these latency and length
 * profiles; RelayCore routes by their prices, speed and capabilities, and falls back to the `external` provider.
 * Profiles are log-normal (medians and spreads loosely after public throughput figures for models of these sizes).
 */
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

export const MODELS: readonly ModelProfile[] = [
  {
    name: "nw-llama-3-8b",
    provider: "neuroweaver",
    capabilities: ["chat", "classify", "summarize"],
    inputPricePer1k: 0.0002,
    outputPricePer1k: 0.0006,
    firstTokenMs: 60,
    perTokenMs: 4,
    outputTokensMedian: 60,
    outputTokensSigma: 0.5,
  },
  {
    name: "nw-mixtral-8x7b",
    provider: "neuroweaver",
    capabilities: ["chat", "classify", "summarize", "extract"],
    inputPricePer1k: 0.0006,
    outputPricePer1k: 0.0018,
    firstTokenMs: 110,
    perTokenMs: 7,
    outputTokensMedian: 120,
    outputTokensSigma: 0.6,
  },
  {
    name: "nw-llama-3-70b",
    provider: "neuroweaver",
    capabilities: ["chat", "classify", "summarize", "extract"],
    inputPricePer1k: 0.0027,
    outputPricePer1k: 0.0035,
    firstTokenMs: 220,
    perTokenMs: 14,
    outputTokensMedian: 180,
    outputTokensSigma: 0.7,
  },
  {
    name: "external-large",
    provider: "external",
    capabilities: ["chat", "classify", "summarize", "extract"],
    inputPricePer1k: 0.005,
    outputPricePer1k: 0.015,
    firstTokenMs: 300,
    perTokenMs: 10,
    outputTokensMedian: 150,
    outputTokensSigma: 0.6,
  },
];

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
