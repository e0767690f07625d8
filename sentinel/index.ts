/**
 * `lookout sentinel`: a watcher meant to run on another host than the stack. It expects Alertmanager's Watchdog
 * heartbeat every interval and probes the public status page from outside, and notifies its own receivers (webhook,
 * e-mail, chat) when either stops, once per incident, with reminders and a resolved notification. docs/sentinel.md.
 */
export { loadSentinelConfig, parseSentinelConfig } from "./config.js";
export { sentinelConfigSchema } from "./schema.js";
export {
  checksUp,
  type Incident,
  type MonitorSettings,
  type MonitorState,
  newMonitorState,
  nextWake,
  onHeartbeat,
  onProbe,
  tick,
} from "./monitor.js";
export { deliver, type Message, renderNotice, type Sender } from "./notify.js";
export { answerProblem, type Prober, probeStatusPage } from "./probe.js";
export { createSentinel, type Logger, type Sentinel, type SentinelDeps, systemClock } from "./service.js";
export type { CheckName, Clock, Notice, ProbeConfig, ProbeResult, ReceiverConfig, SentinelConfig } from "./types.js";
