/**
 * The check scheduler: every job runs once per interval, at a jittered offset so a thousand targets with the same
 * interval do not fire in the same millisecond, through a bounded number of concurrent runs. One timer serves every
 * job (a binary heap of due times), so thousands of targets cost one setTimeout, not thousands.
 *
 * Lag — how late a run started against its due time — is reported for every run: it is the figure that shows the
 * aggregator falling behind. A job still running when it is due again is skipped (and counted), never doubled up.
 * Clock and timers are parameters so tests drive time without sleeping.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface Job {
  key: string;
  intervalMs: number;
}

export interface SchedulerOptions {
  clock?: Clock;
  concurrency: number;
  run: (key: string) => Promise<void>;
  onLag?: (key: string, lagMs: number) => void;
  onSkip?: (key: string) => void;
  random?: () => number;
}

interface Entry {
  job: Job;
  due: number;
  running: boolean;
  removed: boolean;
}

export class Scheduler {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly entries = new Map<string, Entry>();
  private heap: Entry[] = [];
  private timer: unknown;
  private timerDue = Number.POSITIVE_INFINITY;
  private readonly queue: { entry: Entry; due: number }[] = [];
  private active = 0;
  private stopped = true;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /**
   * Replaces the job set. Jobs whose key and interval are unchanged keep their place in the schedule (a reload does
   * not restart every check); new ones get a random offset within their first interval.
   */
  setJobs(jobs: Job[]): void {
    const next = new Map(jobs.map((j) => [j.key, j]));
    for (const [key, entry] of this.entries) {
      const job = next.get(key);
      if (!job || job.intervalMs !== entry.job.intervalMs) {
        entry.removed = true;
        this.entries.delete(key);
      }
    }
    const now = this.clock.now();
    for (const job of jobs) {
      if (this.entries.has(job.key)) continue;
      const entry: Entry = {
        job,
        due: now + Math.floor(this.random() * job.intervalMs),
        running: false,
        removed: false,
      };
      this.entries.set(job.key, entry);
      this.push(entry);
    }
    this.heap = this.heap.filter((e) => !e.removed);
    this.heapify();
    this.arm();
  }

  start(): void {
    this.stopped = false;
    this.arm();
  }

  /** Stops scheduling; resolves when the runs in progress have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    this.queue.length = 0;
    if (this.active === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  get size(): number {
    return this.entries.size;
  }

  get inFlight(): number {
    return this.active;
  }

  private arm(): void {
    if (this.stopped) return;
    const first = this.heap[0];
    if (!first) return;
    if (first.due >= this.timerDue && this.timer !== undefined) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerDue = first.due;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, first.due - this.clock.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    if (this.stopped) return;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0]!.due <= now) {
      const entry = this.pop()!;
      if (entry.removed) continue;
      const due = entry.due;
      // Next due time keeps the cadence; if we are more than an interval behind, skip the missed slots.
      const interval = entry.job.intervalMs;
      entry.due = due + interval * Math.max(1, Math.ceil((now - due + 1) / interval));
      this.push(entry);
      if (entry.running) {
        this.options.onSkip?.(entry.job.key);
        continue;
      }
      entry.running = true;
      this.queue.push({ entry, due });
    }
    this.drain();
    this.arm();
  }

  private drain(): void {
    while (this.active < this.options.concurrency && this.queue.length > 0) {
      const { entry, due } = this.queue.shift()!;
      if (entry.removed) {
        entry.running = false;
        continue;
      }
      this.active++;
      this.options.onLag?.(entry.job.key, Math.max(0, this.clock.now() - due));
      this.options
        .run(entry.job.key)
        .catch(() => {
          /* a run reports its own failures; the scheduler only keeps going */
        })
        .finally(() => {
          entry.running = false;
          this.active--;
          if (this.active === 0 && this.queue.length === 0) {
            for (const resolve of this.idleWaiters.splice(0)) resolve();
          }
          if (!this.stopped) this.drain();
        });
    }
  }

  // Binary min-heap on due time.
  private push(entry: Entry): void {
    this.heap.push(entry);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.heap[parent]!.due <= this.heap[i]!.due) break;
      [this.heap[parent], this.heap[i]] = [this.heap[i]!, this.heap[parent]!];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (this.heap.length > 0 && last) {
      this.heap[0] = last;
      this.sink(0);
    }
    return top;
  }

  private sink(start: number): void {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < this.heap.length && this.heap[l]!.due < this.heap[smallest]!.due) smallest = l;
      if (r < this.heap.length && this.heap[r]!.due < this.heap[smallest]!.due) smallest = r;
      if (smallest === i) return;
      [this.heap[smallest], this.heap[i]] = [this.heap[i]!, this.heap[smallest]!];
      i = smallest;
    }
  }

  private heapify(): void {
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.sink(i);
  }
}
