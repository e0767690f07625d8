/// <reference lib="dom" />
/**
 * The dashboard page's script: reads GET /api/v1/status from the aggregator named by the page's `?aggregator=`
 * parameter through the typed client and renders one row per target. Bundled for the browser with esbuild (see
 * README.md in api-client/).
 */
import { createLookoutClient, type TargetStatus } from "../index.js";

function row(target: TargetStatus): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.dataset.target = target.id;
  for (const text of [target.name, target.system, target.status]) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

export async function renderDashboard(baseUrl: string, state: HTMLElement, rows: HTMLElement): Promise<void> {
  const client = createLookoutClient({ baseUrl });
  try {
    const { data, response } = await client.GET("/api/v1/status");
    if (!data) {
      state.textContent = `The aggregator answered ${response.status} ${response.statusText}`;
      return;
    }
    rows.replaceChildren(...data.targets.map(row));
    state.textContent = `${data.targets.length} targets, as of ${data.generatedAt}`;
  } catch (error) {
    // What a browser reports when it refuses a cross-origin reply (no Access-Control-Allow-Origin) or cannot connect.
    state.textContent = `Could not read ${baseUrl}: ${(error as Error).message}`;
  }
}

const aggregator = new URLSearchParams(location.search).get("aggregator");
const state = document.getElementById("state");
const rows = document.getElementById("targets");
if (state && rows) {
  if (aggregator) void renderDashboard(aggregator, state, rows);
  else state.textContent = "Add ?aggregator=<the aggregator's URL> to the address.";
}
