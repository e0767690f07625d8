/**
 * `lookout synthetics run <flow>`: runs one synthetic flow now and prints its result — through the aggregator's
 * `POST /api/v1/synthetics/<flow>/runs` (stored, exported and on the status page like a scheduled run), or in this
 * process with `--local` (nothing stored; traced to the gateway when OTEL_EXPORTER_OTLP_ENDPOINT is set). Exit code
 * 0 when the run passed, 1 when it failed or timed out, 2 for a usage error.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "undici";
import {
  BUILTIN_FLOWS,
  jaegerTraceSourceFromEnv,
  jaegerTraceUrl,
  runFlow,
  tracingFromEnv,
  type RunResult,
  type TraceAssertionResult,
} from "../synthetics/index.js";
import { loadConfigFile } from "../health-aggregator/index.js";
import { LookoutError, homeLayout, lookoutHome, REPO_ROOT } from "../shared/index.js";
import { parseCommand, stringValue } from "./args.js";
import { aggregatorConfigPlaceholders, resolvePorts } from "../stack/index.js";

export const SYNTHETICS_HELP = `Usage: lookout synthetics run <flow> [--local] [--url URL] [--json]
       lookout synthetics list

  run <flow>   Run one flow now and print each step's result; exit code 0 when it passed, 1 when it failed.
               By default the running aggregator runs it (POST /api/v1/synthetics/<flow>/runs, admin token from
               LOOKOUT_ADMIN_TOKEN or LOOKOUT_HOME/secrets/admin_token), so the run is stored and exported.
    --local    run it in this process instead, against the base URLs of the aggregator's config
               (LOOKOUT_AGGREGATOR_CONFIG, default health-aggregator/lookout.yml, with the stack's ports); its
               trace assertions are evaluated when LOOKOUT_JAEGER_QUERY_URL names Jaeger's query API
    --url URL  the aggregator (default http://127.0.0.1:$LOOKOUT_PORT_AGGREGATOR, 8080)
    --json     print the run as JSON
  list         the built-in flows with their schedules

Flows: ${BUILTIN_FLOWS.map((f) => f.name).join(", ")}. Writing one: synthetics/README.md.`;

function adminToken(env: NodeJS.ProcessEnv): string {
  if (env.LOOKOUT_ADMIN_TOKEN) return env.LOOKOUT_ADMIN_TOKEN;
  const file = join(homeLayout(lookoutHome(env)).secrets, "admin_token");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  throw new LookoutError(
    "LOOKOUT_ERR_USAGE",
    `no admin token: set LOOKOUT_ADMIN_TOKEN (or run against a stack whose ${file} exists)`,
  );
}

/** A run as the aggregator's API returns it: with links into the Jaeger UI when it knows the UI's address. */
export type RunView = RunResult & {
  traceUrl?: string;
  trace?: RunResult["trace"] & { assertions: (TraceAssertionResult & { spanUrl?: string })[] };
};

/** The run as lines a person reads: outcome, each step with expected and actual on failure, the trace. */
export function formatRun(run: RunView): string[] {
  const mark = { passed: "✓", failed: "✗", skipped: "-" } as const;
  const lines = [`${run.flow}: ${run.outcome.toUpperCase()} in ${(run.durationMs / 1000).toFixed(1)} s`];
  for (const step of run.steps) {
    const detail = [
      step.httpStatus !== undefined ? `HTTP ${step.httpStatus}` : undefined,
      step.status !== "skipped" ? `${Math.round(step.durationMs)} ms` : undefined,
      step.attempts > 1 ? `${step.attempts} attempts` : undefined,
    ].filter(Boolean);
    lines.push(
      `  ${mark[step.status]} ${step.cleanup ? "(cleanup) " : ""}${step.name}${detail.length ? ` (${detail.join(", ")})` : ""}`,
    );
    if (step.failure) {
      lines.push(`      ${step.failure.assertion}`);
      lines.push(`      expected: ${step.failure.expected}`);
      lines.push(`      actual:   ${step.failure.actual}`);
    }
  }
  if (run.trace) {
    const t = run.trace;
    lines.push(
      `  trace assertions: ${t.status.toUpperCase()} (${(t.durationMs / 1000).toFixed(1)} s waiting for the trace)`,
    );
    if (t.status === "unavailable") lines.push(`      ${t.reason ?? "the trace could not be read"}`);
    else
      for (const a of t.assertions) {
        lines.push(`  ${a.status === "passed" ? mark.passed : mark.failed} ${a.name}`);
        if (a.status !== "failed") continue;
        lines.push(`      ${a.message ?? a.check ?? ""}`);
        lines.push(`      expected: ${a.expected ?? ""}`);
        lines.push(`      actual:   ${a.actual ?? ""}`);
        if (a.spanUrl ?? a.spanId) lines.push(`      span:     ${a.spanUrl ?? a.spanId}`);
      }
  }
  if (run.error && !run.steps.some((s) => s.failure) && run.trace?.status !== "failed") lines.push(`  ${run.error}`);
  lines.push(`  trace: ${run.traceUrl ?? run.traceId}`);
  return lines;
}

export async function synthetics(args: string[], out: (line: string) => void, env = process.env): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "list") {
    parseCommand("synthetics list", rest, {}, SYNTHETICS_HELP);
    for (const f of BUILTIN_FLOWS) out(`${f.name.padEnd(22)} ${f.schedule.padEnd(14)} ${f.description}`);
    return 0;
  }
  if (sub !== "run")
    throw new LookoutError(
      "LOOKOUT_ERR_USAGE",
      `unknown synthetics command ${JSON.stringify(sub ?? "")}\n\n${SYNTHETICS_HELP}`,
    );
  const parsed = parseCommand(
    "synthetics run",
    rest,
    { json: { type: "boolean" }, local: { type: "boolean" }, url: { type: "string" } },
    SYNTHETICS_HELP,
    1,
  );
  const json = parsed.values.json === true;
  const url = stringValue(parsed, "url");
  const name = parsed.positionals[0];
  if (!name) throw new LookoutError("LOOKOUT_ERR_USAGE", `synthetics run needs a flow name\n\n${SYNTHETICS_HELP}`);
  const flow = BUILTIN_FLOWS.find((f) => f.name === name);
  if (!flow)
    throw new LookoutError(
      "LOOKOUT_ERR_USAGE",
      `no flow named "${name}" (known: ${BUILTIN_FLOWS.map((f) => f.name).join(", ")})`,
    );

  let run: RunView;
  if (parsed.values.local === true) {
    const configPath = env.LOOKOUT_AGGREGATOR_CONFIG ?? join(REPO_ROOT, "health-aggregator", "lookout.yml");
    // The shipped config names the stack's ports and connection URLs; fill them so it loads outside the stack.
    const config = loadConfigFile(configPath, { ...aggregatorConfigPlaceholders(resolvePorts(env)), ...env });
    const tracing = tracingFromEnv(env);
    const source = jaegerTraceSourceFromEnv(env);
    try {
      run = await runFlow(flow, {
        tracer: tracing.tracer,
        urls: config.synthetics?.urls ?? {},
        env,
        trigger: "local",
        ...(source ? { traces: { source, flush: () => tracing.flush() } } : {}),
      });
    } finally {
      await tracing.shutdown();
    }
    const ui = config.synthetics?.jaegerUiUrl;
    if (ui) {
      run.traceUrl = jaegerTraceUrl(ui, run.traceId);
      for (const a of run.trace?.assertions ?? []) if (a.spanId) a.spanUrl = jaegerTraceUrl(ui, run.traceId, a.spanId);
    }
  } else {
    const base = (url ?? `http://127.0.0.1:${resolvePorts(env).AGGREGATOR}`).replace(/\/+$/, "");
    const post = async () => {
      try {
        return await request(`${base}/api/v1/synthetics/${encodeURIComponent(name)}/runs`, {
          method: "POST",
          headers: { authorization: `Bearer ${adminToken(env)}` },
          // A run ends within its timeout plus cleanup (15 s at most) plus the wait for its trace (30 s at most, with
          // a last read of up to 5 s); wait that long for the answer.
          headersTimeout: flow.timeoutMs + 15_000 + 35_000 + 10_000,
        });
      } catch (error) {
        throw new LookoutError(
          "LOOKOUT_ERR_STACK",
          `cannot reach the aggregator at ${base}: ${(error as Error).message} (is the stack running? or use --local)`,
        );
      }
    };
    // A scheduled run or recheck in progress (409): wait for it to end and start ours, within the flow's timeout.
    const waitUntil = Date.now() + flow.timeoutMs + 30_000;
    let response = await post();
    if (response.statusCode === 409)
      process.stderr.write(`a run of ${name} is in progress; starting ours when it ends…\n`);
    while (response.statusCode === 409 && Date.now() < waitUntil) {
      await response.body.dump();
      await new Promise((r) => setTimeout(r, 500));
      response = await post();
    }
    const text = await response.body.text();
    if (response.statusCode !== 201) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        /* not JSON */
      }
      throw new LookoutError("LOOKOUT_ERR_STACK", `the aggregator answered ${response.statusCode}: ${message}`);
    }
    run = JSON.parse(text) as RunView;
    run.startedAt = typeof run.startedAt === "string" ? Date.parse(run.startedAt) : run.startedAt;
  }
  if (json) out(JSON.stringify(run, null, 2));
  else for (const line of formatRun(run)) out(line);
  return run.outcome === "success" ? 0 : 1;
}
