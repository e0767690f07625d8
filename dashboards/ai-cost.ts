/**
 * AI cost: what the AI calls cost, per model, service and workflow; tokens; cost per request; how much of the daily
 * and monthly budget is spent and where the month will end at the current pace.
 *
 * Spend comes from the gateway's exact AI totals (lookout_ai_*_total, summed from 100% of spans, docs/pipeline.md).
 * RelayCore's client spans carry what each call cost the router and NeuroWeaver's server spans what it served, so the
 * same call is counted once per service: the budget panels read one service, RelayCore by default.
 */
import { BigValueColorMode } from "@grafana/grafana-foundation-sdk/common";
import {
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as TimeSeries } from "@grafana/grafana-foundation-sdk/timeseries";
import { DS, dashboard, finish, prom, queries, thresholds, latestStat } from "./common.js";

const SEL = 'service_name="$service", gen_ai_request_model=~"$model"';
const SPEND = `sum(increase(lookout_ai_cost_dollars_total{${SEL}}[$__range]))`;
/** RelayCore's configured budget for a period (ai_budget_dollars, from LOOKOUT_RELAYCORE_*_BUDGET_USD), as a scalar. */
const budget = (period: "daily" | "monthly") => `scalar(max(ai_budget_dollars{period="${period}"}))`;

function budgetStat(
  title: string,
  description: string,
  expr: string,
  unit: string,
  timeFrom: string,
  warn?: [number, number],
) {
  return latestStat(warn ? BigValueColorMode.Background : BigValueColorMode.Value)
    .title(title)
    .description(description)
    .withTarget(prom(expr, { instant: true, legend: title }))
    .timeFrom(timeFrom)
    .hideTimeOverride(false)
    .thresholds(warn ? thresholds("green", [warn[0], "orange"], [warn[1], "red"]) : thresholds("blue"))
    .unit(unit)
    .decimals(unit === "percentunit" ? 1 : 2)
    .height(5)
    .span(4);
}

export function aiCost() {
  return finish(
    dashboard({
      uid: "lookout-ai-cost",
      title: "Lookout / AI cost",
      description:
        "AI spend per model, service and workflow, tokens, cost per request, budget burn and month-end projection.",
      from: "now-24h",
      refresh: "1m",
      tags: ["ai"],
    })
      .withVariable(
        new QueryVariableBuilder("service")
          .label("Service")
          .description(
            "Whose spans the spend is read from: relaycore (what the router was billed) or neuroweaver (what it served).",
          )
          .datasource(DS.prometheus)
          .query("label_values(lookout_ai_calls_total, service_name)")
          .definition("label_values(lookout_ai_calls_total, service_name)")
          .current({ text: "relaycore", value: "relaycore", selected: true })
          .refresh(VariableRefresh.OnTimeRangeChanged)
          .sort(VariableSort.AlphabeticalAsc),
      )
      .withVariable(
        new QueryVariableBuilder("model")
          .label("Model")
          .description("Models (gen_ai.request.model) the service called.")
          .datasource(DS.prometheus)
          .query('label_values(lookout_ai_calls_total{service_name="$service"}, gen_ai_request_model)')
          .definition('label_values(lookout_ai_calls_total{service_name="$service"}, gen_ai_request_model)')
          .refresh(VariableRefresh.OnTimeRangeChanged)
          .sort(VariableSort.AlphabeticalAsc)
          .multi(true)
          .includeAll(true),
      )
      .withRow(new RowBuilder("Budget"))
      .withPanel(
        budgetStat(
          "Spent today",
          "AI spend since 00:00 UTC for the chosen service and models (lookout_ai_cost_dollars_total).",
          SPEND,
          "currencyUSD",
          "now/d",
        ),
      )
      .withPanel(
        budgetStat(
          "Daily budget used",
          "Today's spend as a share of the daily budget RelayCore enforces (ai_budget_dollars). RelayCore routes to the cheapest capable model above 80 % " +
            "and refuses AI calls (429) at 100 %. Orange: look at spend per model and workflow below for the cause.",
          `${SPEND} / ${budget("daily")}`,
          "percentunit",
          "now/d",
          [0.8, 1],
        ),
      )
      .withPanel(
        budgetStat("Spent this month", "AI spend since the first of the month (UTC).", SPEND, "currencyUSD", "now/M"),
      )
      .withPanel(
        budgetStat(
          "Monthly budget used",
          "This month's spend as a share of the monthly budget. Healthy: below the share of the month gone by.",
          `${SPEND} / ${budget("monthly")}`,
          "percentunit",
          "now/M",
          [0.8, 1],
        ),
      )
      .withPanel(
        budgetStat(
          "Projected month-end spend",
          "This month's spend extrapolated to the end of the month at the month's average pace so far " +
            "(spend × days in month ÷ days elapsed).",
          `${SPEND} * (days_in_month() * 86400) / $__range_s`,
          "currencyUSD",
          "now/M",
        ),
      )
      .withPanel(
        budgetStat(
          "Projected budget use",
          "Projected month-end spend as a share of the monthly budget. Above 100 %: the budget runs out before the " +
            "month ends — find the model or workflow whose spend grew and route it to a cheaper model.",
          `${SPEND} * (days_in_month() * 86400) / $__range_s / ${budget("monthly")}`,
          "percentunit",
          "now/M",
          [0.9, 1],
        ),
      )
      .withRow(new RowBuilder("Spend"))
      .withPanel(
        new TimeSeries()
          .title("Spend per model")
          .description(
            "US dollars per hour per model, at the current rate. A model whose line jumps: check its tokens per " +
              "response below (runaway generation) and the selection reasons (more traffic routed to it).",
          )
          .withTarget(
            prom(
              `sum by (gen_ai_request_model) (rate(lookout_ai_cost_dollars_total{${SEL}}[$__rate_interval])) * 3600`,
              {
                legend: "{{gen_ai_request_model}}",
              },
            ),
          )
          .unit("currencyUSD")
          .axisLabel("USD per hour")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Spend per service")
          .description(
            "US dollars per hour recorded by each service's AI spans: RelayCore's is what the router was billed " +
              "(NeuroWeaver and the external provider), NeuroWeaver's what it served. They should move together.",
          )
          .withTarget(
            prom("sum by (service_name) (rate(lookout_ai_cost_dollars_total[$__rate_interval])) * 3600", {
              legend: "{{service_name}}",
            }),
          )
          .unit("currencyUSD")
          .axisLabel("USD per hour")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Spend per workflow")
          .description(
            "US dollars per hour of AI calls made by AutoMatrix workflows, per workflow template " +
              "(workflow_ai_cost_dollars_total). One template dominating: look at its steps' models and prompt sizes.",
          )
          .withTarget(
            prom("sum by (workflow) (rate(workflow_ai_cost_dollars_total[$__rate_interval])) * 3600", {
              legend: "{{workflow}}",
            }),
          )
          .unit("currencyUSD")
          .axisLabel("USD per hour")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Cost per request")
          .description(
            "Average cost of one AI call per model, and of one workflow run per template. A rising line at steady " +
              "traffic means longer prompts or answers (see tokens) or a price change.",
          )
          .targets(
            queries(
              prom(
                `sum by (gen_ai_request_model) (rate(lookout_ai_cost_dollars_total{${SEL}}[$__rate_interval])) / sum by (gen_ai_request_model) (rate(lookout_ai_calls_total{${SEL}}[$__rate_interval]))`,
                { legend: "call: {{gen_ai_request_model}}" },
              ),
              prom(
                "sum by (workflow) (rate(workflow_ai_cost_dollars_total[$__rate_interval])) / sum by (workflow) (rate(workflow_executions_total[$__rate_interval]))",
                { legend: "workflow run: {{workflow}}" },
              ),
            ),
          )
          .unit("currencyUSD")
          .decimals(4)
          .min(0)
          .height(8)
          .span(12),
      )
      .withRow(new RowBuilder("Tokens and routing"))
      .withPanel(
        new TimeSeries()
          .title("Tokens per second")
          .description(
            "Input and output tokens per second per model (lookout_ai_input_tokens_total, lookout_ai_output_tokens_total). " +
              "Output growing faster than input: answers got longer (max_tokens ignored?).",
          )
          .targets(
            queries(
              prom(`sum by (gen_ai_request_model) (rate(lookout_ai_input_tokens_total{${SEL}}[$__rate_interval]))`, {
                legend: "in {{gen_ai_request_model}}",
              }),
              prom(`sum by (gen_ai_request_model) (rate(lookout_ai_output_tokens_total{${SEL}}[$__rate_interval]))`, {
                legend: "out {{gen_ai_request_model}}",
              }),
            ),
          )
          .unit("short")
          .axisLabel("tokens/s")
          .min(0)
          .height(8)
          .span(8),
      )
      .withPanel(
        new TimeSeries()
          .title("Output tokens per response, p95")
          .description(
            "95th percentile of output tokens per AI response per model, from RelayCore's ai_response_tokens " +
              "histogram. Healthy: well under the 512 max_tokens AutoMatrix asks for. Near or above it: a model " +
              "ignoring max_tokens (NeuroWeaver's runawayCost fault reproduces this).",
          )
          .withTarget(
            prom(
              'histogram_quantile(0.95, sum by (model, le) (rate(ai_response_tokens_bucket{model=~"$model"}[$__rate_interval])))',
              {
                legend: "{{model}}",
              },
            ),
          )
          .thresholds(thresholds("green", [512, "orange"], [2048, "red"]))
          .unit("short")
          .min(0)
          .height(8)
          .span(8),
      )
      .withPanel(
        new TimeSeries()
          .title("Model selection reasons")
          .description(
            "Why RelayCore picked a model (ai_model_selection_total): capability, latency, quality, cost, budget " +
              "(over 80 % of a budget: cheapest model) or fallback (primary provider unreachable). Rising budget or " +
              "fallback is the signal; fallback costs more (external provider).",
          )
          .withTarget(
            prom("sum by (reason) (rate(ai_model_selection_total[$__rate_interval]))", { legend: "{{reason}}" }),
          )
          .unit("reqps")
          .min(0)
          .height(8)
          .span(8),
      ),
  );
}
