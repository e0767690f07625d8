// The service's own timers: a sentinel that stalled reads the heartbeats queued meanwhile before judging a deadline.
import { describe, expect, it } from "vitest";
import { createSentinel } from "./service.js";
import type { Message } from "./notify.js";
import type { Clock, SentinelConfig } from "./types.js";

const config: SentinelConfig = {
  name: "stall-sentinel",
  listen: { host: "127.0.0.1", port: 0 },
  heartbeat: { intervalMs: 4_000, graceMs: 2_000, alertname: "Watchdog", token: "hb-token" },
  probe: undefined,
  notify: { withinMs: 30_000, renotifyMs: 3_600_000, receivers: [{ kind: "chat", name: "chat", url: "http://c" }] },
  metricsToken: "m-token",
};

/** A clock whose time can jump without firing anything, as a stalled process experiences it. */
class StallingClock implements Clock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  constructor(private current: number) {}
  now = () => this.current;
  setTimeout(fn: () => void, ms: number): unknown {
    this.timers.push({ at: this.current + Math.max(0, ms), fn, id: this.nextId });
    return this.nextId++;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  /** The process sleeps: time passes, nothing runs. */
  stall(ms: number): void {
    this.current += ms;
  }
  /** The process wakes: every timer already due fires now, late. */
  fireDue(): void {
    for (;;) {
      const due = this.timers.filter((t) => t.at <= this.current).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
  }
  /** Runs on time up to `ms` from now. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const next = this.timers.sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > end) break;
      this.current = next.at;
      this.fireDue();
    }
    this.current = end;
  }
}

const firing = {
  version: "4",
  status: "firing",
  receiver: "lookout-sentinel",
  alerts: [{ status: "firing", labels: { alertname: "Watchdog" }, startsAt: "2026-01-01T00:00:00Z" }],
};

function start() {
  const clock = new StallingClock(1_700_000_000_000);
  const sent: Message[] = [];
  const log: Record<string, unknown>[] = [];
  const sentinel = createSentinel(config, {
    clock,
    send: (_r, m) => Promise.resolve(void sent.push(m)),
    log: (e) => log.push(e),
  });
  const beat = () =>
    sentinel.app.inject({
      method: "POST",
      url: "/api/v1/heartbeat",
      headers: { "content-type": "application/json", authorization: "Bearer hb-token" },
      payload: JSON.stringify(firing),
    });
  return { clock, sent, log, sentinel, beat };
}

describe("the sentinel's deadline timer", () => {
  it("does not page for its own stall when a heartbeat was queued meanwhile", async () => {
    const { clock, sent, log, sentinel, beat } = start();
    await beat();
    clock.stall(8_000); // past interval + grace, with a heartbeat waiting in the socket
    clock.fireDue(); // the deadline timer runs first, 2 s late
    await beat(); // then the queued heartbeat is read
    clock.advance(1_000);
    await sentinel.idle();
    expect(sent).toEqual([]);
    expect(log).toContainEqual({ event: "stalled", late_ms: 1_999 });
    await sentinel.close();
  });

  it("still pages after a stall when no heartbeat came", async () => {
    const { clock, sent, sentinel, beat } = start();
    await beat();
    clock.stall(8_000);
    clock.fireDue();
    clock.advance(1_000);
    await sentinel.idle();
    expect(sent.map((m) => m.json.status)).toEqual(["firing"]);
    await sentinel.close();
  });

  it("judges an on-time deadline at once", async () => {
    const { clock, sent, sentinel, beat } = start();
    await beat();
    clock.advance(6_001);
    await sentinel.idle();
    expect(sent.map((m) => m.json.status)).toEqual(["firing"]);
    await sentinel.close();
  });
});
