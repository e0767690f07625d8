/**
 * The status page's "Synthetic checks" section: per enabled flow, its state and latest runs, each linked to its
 * trace in Jaeger when `synthetics.jaeger_ui_url` is configured — at the offending span when a trace assertion failed.
 * Shown: the flow's description, outcome, time and duration of each run, and whether its trace could be read — never
 * step errors, URLs of the systems or anything a response said. The model is built in read-models/synthetics-page.ts.
 */
import type { SyntheticsPageModel } from "../read-models/synthetics-page.js";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const OUTCOME = {
  success: { mark: "✓", label: "passed" },
  failure: { mark: "✗", label: "failed" },
  timeout: { mark: "⏱", label: "timed out" },
} as const;

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

export const SYNTHETICS_CSS = `  .flows, .runs { list-style: none; padding: 0; margin: 0; }
  .flow { padding: .75rem 0; border-bottom: 1px solid #d0d7de; }
  .runs { display: flex; flex-wrap: wrap; gap: .25rem; margin-top: .4rem; }
  .run a, .run span { color: inherit; display: inline-block; padding: .1rem .4rem; border-radius: .25rem; font-size: .8125rem; border: 1px solid currentColor; text-decoration: none; }
  .run a:hover, .run a:focus { text-decoration: underline; }
  .run.success { color: var(--ok); } .run.failure, .run.timeout { color: var(--bad); }`;

export function renderSynthetics(flows: SyntheticsPageModel): string {
  if (flows.length === 0) return "";
  const items = flows
    .map((flow) => {
      const last = flow.runs[0];
      const state = !last ? "unknown" : last.outcome === "success" ? "healthy" : "unhealthy";
      const label = !last
        ? "No runs yet"
        : last.outcome === "success"
          ? "Passing"
          : `Failing (${flow.consecutiveFailures} in a row)`;
      const runs = flow.runs
        .map((run) => {
          const o = OUTCOME[run.outcome];
          const at = new Date(run.startedAt).toISOString();
          const time = `${at.slice(11, 16)} UTC`;
          const unavailable = run.traceUnavailable ? " (trace unavailable: trace checks not run)" : "";
          const detail = `Run at ${at.slice(0, 16).replace("T", " ")} UTC ${o.label} in ${seconds(run.durationMs)}${unavailable}`;
          const text = `${o.mark} ${time} · ${seconds(run.durationMs)}${run.traceUnavailable ? " · no trace" : ""}`;
          return `<li class="run ${run.outcome}">${
            run.traceUrl
              ? `<a href="${escape(run.traceUrl)}" aria-label="${escape(`${detail}: view its trace`)}" rel="noopener">${text}</a>`
              : `<span aria-label="${escape(detail)}">${text}</span>`
          }</li>`;
        })
        .join("");
      return `<li class="flow" data-flow="${escape(flow.name)}">
        <div class="row">
          <span class="name">${escape(flow.description)}</span>
          <span class="state ${state}"><span class="dot" aria-hidden="true"></span>${label}</span>
        </div>
        ${runs ? `<ol class="runs" aria-label="Latest runs of ${escape(flow.name)}, newest first">${runs}</ol>` : ""}
      </li>`;
    })
    .join("");
  return `  <section aria-labelledby="synthetics">
    <h2 id="synthetics">Synthetic checks</h2>
    <p class="meta">Scripted user journeys run on a schedule; each run links to its trace.</p>
    <ul class="flows">${items}</ul>
  </section>`;
}
