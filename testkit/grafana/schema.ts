/**
 * A JSON Schema (draft-07) for Grafana's dashboard model (schemaVersion 41+, the JSON a file provider loads), and a
 * validator built on it with ajv. Written for Lookout from the facts of Grafana's own model: the field names, types,
 * enums and required fields of the foundation SDK's `dashboard` types (v0.0.21, dist/dashboard/types.gen.d.ts) and of
 * the JSON Schema the SDK's repository publishes for the same kind. Objects Grafana defines are closed
 * (additionalProperties: false), so a misspelt or misplaced field fails; plugin-owned parts (panel `options`,
 * `fieldConfig.defaults.custom`, query targets) are open, as in Grafana's model.
 */
import { Ajv, type ErrorObject } from "ajv";

const str = { type: "string" };
const bool = { type: "boolean" };
const int = { type: "integer" };
const num = { type: "number" };
const strs = { type: "array", items: str };
const open = { type: "object" };
const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

export const DASHBOARD_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $ref: "#/definitions/Dashboard",
  definitions: {
    Dashboard: {
      type: "object",
      additionalProperties: false,
      required: ["schemaVersion", "templating", "annotations"],
      properties: {
        id: { type: ["integer", "null"] },
        uid: { type: "string", minLength: 1, maxLength: 40 },
        title: str,
        description: str,
        revision: int,
        gnetId: str,
        tags: strs,
        timezone: str,
        editable: bool,
        graphTooltip: { enum: [0, 1, 2] },
        time: {
          type: "object",
          additionalProperties: false,
          required: ["from", "to"],
          properties: { from: str, to: str },
        },
        timepicker: ref("TimePicker"),
        fiscalYearStartMonth: { type: "integer", minimum: 0, maximum: 11 },
        liveNow: bool,
        weekStart: str,
        refresh: { anyOf: [str, { const: false }] },
        schemaVersion: { type: "integer", minimum: 36 },
        version: int,
        panels: { type: "array", items: { anyOf: [ref("RowPanel"), ref("Panel")] } },
        templating: {
          type: "object",
          additionalProperties: false,
          properties: { list: { type: "array", items: ref("VariableModel") } },
        },
        annotations: {
          type: "object",
          additionalProperties: false,
          properties: { list: { type: "array", items: ref("AnnotationQuery") } },
        },
        links: { type: "array", items: ref("DashboardLink") },
        preload: bool,
      },
    },
    TimePicker: {
      type: "object",
      additionalProperties: false,
      properties: { hidden: bool, refresh_intervals: strs, quick_ranges: { type: "array" }, nowDelay: str },
    },
    DataSourceRef: {
      type: "object",
      additionalProperties: false,
      properties: { type: str, uid: str },
    },
    GridPos: {
      type: "object",
      additionalProperties: false,
      required: ["h", "w", "x", "y"],
      properties: {
        h: { type: "integer", exclusiveMinimum: 0 },
        w: { type: "integer", exclusiveMinimum: 0, maximum: 24 },
        x: { type: "integer", minimum: 0, exclusiveMaximum: 24 },
        y: { type: "integer", minimum: 0 },
        static: bool,
      },
    },
    DashboardLink: {
      type: "object",
      additionalProperties: false,
      required: ["title", "type", "icon", "tooltip", "tags", "asDropdown", "targetBlank", "includeVars", "keepTime"],
      properties: {
        title: str,
        type: { enum: ["link", "dashboards"] },
        icon: str,
        tooltip: str,
        url: str,
        tags: strs,
        asDropdown: bool,
        placement: str,
        targetBlank: bool,
        includeVars: bool,
        keepTime: bool,
      },
    },
    AnnotationQuery: {
      type: "object",
      required: ["name", "datasource", "enable", "iconColor"],
      properties: { name: str, datasource: ref("DataSourceRef"), enable: bool, hide: bool, iconColor: str },
    },
    VariableOption: {
      type: "object",
      additionalProperties: false,
      required: ["text", "value"],
      properties: {
        selected: bool,
        text: { anyOf: [str, strs] },
        value: { anyOf: [str, strs] },
      },
    },
    VariableModel: {
      type: "object",
      additionalProperties: false,
      required: ["type", "name"],
      properties: {
        type: {
          enum: [
            "query",
            "adhoc",
            "groupby",
            "constant",
            "datasource",
            "interval",
            "textbox",
            "custom",
            "system",
            "snapshot",
            "switch",
          ],
        },
        name: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
        label: str,
        hide: { enum: [0, 1, 2, 3] },
        skipUrlSync: bool,
        description: str,
        query: { anyOf: [str, open] },
        datasource: ref("DataSourceRef"),
        current: ref("VariableOption"),
        multi: bool,
        allowCustomValue: bool,
        options: { type: "array", items: ref("VariableOption") },
        refresh: { enum: [0, 1, 2] },
        sort: { enum: [0, 1, 2, 3, 4, 5, 6, 7, 8] },
        includeAll: bool,
        allValue: str,
        regex: str,
        staticOptions: { type: "array", items: ref("VariableOption") },
        staticOptionsOrder: { enum: ["before", "after", "sorted"] },
        auto: bool,
        auto_min: str,
        auto_count: { type: "integer", exclusiveMinimum: 0 },
        definition: str,
      },
    },
    Threshold: {
      type: "object",
      additionalProperties: false,
      required: ["value", "color"],
      // null stands for -Infinity, the base of the first step.
      properties: { value: { type: ["number", "null"] }, color: str },
    },
    ThresholdsConfig: {
      type: "object",
      additionalProperties: false,
      required: ["mode", "steps"],
      properties: { mode: { enum: ["absolute", "percentage"] }, steps: { type: "array", items: ref("Threshold") } },
    },
    ValueMapping: {
      type: "object",
      required: ["type", "options"],
      properties: { type: { enum: ["value", "range", "regex", "special"] }, options: open },
    },
    FieldConfig: {
      type: "object",
      additionalProperties: false,
      properties: {
        displayName: str,
        displayNameFromDS: str,
        description: str,
        path: str,
        writeable: bool,
        filterable: bool,
        unit: str,
        decimals: int,
        min: num,
        max: num,
        mappings: { type: "array", items: ref("ValueMapping") },
        thresholds: ref("ThresholdsConfig"),
        color: {
          type: "object",
          required: ["mode"],
          properties: { mode: str, fixedColor: str, seriesBy: { enum: ["min", "max", "last"] } },
        },
        links: { type: "array" },
        actions: { type: "array" },
        noValue: str,
        custom: open,
        fieldMinMax: bool,
      },
    },
    FieldConfigSource: {
      type: "object",
      additionalProperties: false,
      required: ["defaults", "overrides"],
      properties: {
        defaults: ref("FieldConfig"),
        overrides: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["matcher", "properties"],
            properties: {
              matcher: { type: "object", required: ["id"], properties: { id: str, options: {} } },
              properties: {
                type: "array",
                items: { type: "object", required: ["id"], properties: { id: str, value: {} } },
              },
            },
          },
        },
      },
    },
    DataTransformerConfig: {
      type: "object",
      additionalProperties: false,
      required: ["id", "options"],
      properties: {
        id: str,
        disabled: bool,
        filter: open,
        topic: { enum: ["series", "annotations", "alertStates"] },
        options: open,
      },
    },
    Panel: {
      type: "object",
      additionalProperties: false,
      required: ["type"],
      properties: {
        type: { type: "string", minLength: 1, not: { const: "row" } },
        id: int,
        pluginVersion: str,
        targets: { type: "array", items: { type: "object", required: ["refId"], properties: { refId: str } } },
        title: str,
        description: str,
        transparent: bool,
        datasource: ref("DataSourceRef"),
        gridPos: ref("GridPos"),
        links: { type: "array", items: ref("DashboardLink") },
        repeat: str,
        repeatDirection: { enum: ["h", "v"] },
        maxPerRow: num,
        maxDataPoints: num,
        transformations: { type: "array", items: ref("DataTransformerConfig") },
        interval: str,
        timeFrom: str,
        timeShift: str,
        hideTimeOverride: bool,
        timeCompare: str,
        libraryPanel: open,
        cacheTimeout: str,
        queryCachingTTL: num,
        options: open,
        fieldConfig: ref("FieldConfigSource"),
      },
    },
    RowPanel: {
      type: "object",
      additionalProperties: false,
      required: ["type", "collapsed", "id", "panels"],
      properties: {
        type: { const: "row" },
        collapsed: bool,
        title: str,
        datasource: ref("DataSourceRef"),
        gridPos: ref("GridPos"),
        id: int,
        panels: { type: "array", items: ref("Panel") },
        repeat: str,
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(DASHBOARD_SCHEMA);

/** Schema errors of a dashboard, each as "<JSON pointer>: <message>"; empty when valid. */
export function dashboardSchemaErrors(dashboard: unknown): string[] {
  if (validate(dashboard)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) =>
      `${e.instancePath || "/"}: ${e.message ?? "invalid"}${e.keyword === "additionalProperties" ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : ""}`,
  );
}
