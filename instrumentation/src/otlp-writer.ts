/**
 * Finished spans written as OTLP protobuf the moment they end, for span-export.ts.
 *
 * The SDK's batch span processor keeps every ended span object (its attributes, events, links, times and context)
 * until the next export — a second later in the demo services, five by default — so under load the spans outlive
 * the young generation and are copied and promoted by the garbage collector before they are written once and
 * dropped. Here each span is written as its protobuf `Span` message when it ends, into one growing buffer per
 * instrumentation scope, and the span object dies young. The bytes are those of the SDK's serializer
 * (@opentelemetry/otlp-transformer's ProtobufTraceSerializer), field for field and in the same order; the test
 * (otlp-writer.test.ts) compares the two on spans of every shape.
 *
 * Field numbers: opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto (OTLP 1.x).
 */
import type { Attributes, HrTime, Link } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace-base";

type Scope = ReadableSpan["instrumentationScope"];

/** SpanFlags: the parent's is_remote is known (always, from the Node SDK), and whether the parent is remote. */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;
const TWO_32 = 0x1_0000_0000;

/** A protobuf writer over a Buffer that grows; nested messages reserve one length byte and move when longer. */
export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  constructor(size = 16_384) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reset(): void {
    this.pos = 0;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A tag of a field number above 15: two bytes. */
  tag2(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** An unsigned varint, or a negative integer as protobuf's ten-byte two's complement. */
  varint(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (n >= 0 && n < 0x80) {
      buf[this.pos++] = n;
      return;
    }
    let lo: number;
    let hi: number;
    if (n >= 0) {
      lo = n >>> 0;
      hi = Math.floor(n / TWO_32) >>> 0;
    } else {
      const magnitude = -n;
      lo = magnitude >>> 0;
      hi = Math.floor(magnitude / TWO_32) >>> 0;
      // Two's complement of the 64-bit magnitude.
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
      lo = (lo + 1) >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
    }
    while (hi > 0 || lo > 0x7f) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[this.pos++] = lo;
  }

  fixed32(n: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32LE(n >>> 0, this.pos);
  }

  double(n: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleLE(n, this.pos);
  }

  /** HrTime [seconds, nanoseconds] as fixed64 nanoseconds, exact (a double holds only 2^53). */
  hrTime(time: HrTime): void {
    this.ensure(8);
    const [seconds, nanos] = time;
    const low16 = (seconds & 0xffff) * 1e9; // < 2^46
    const high = Math.floor(seconds / 0x10000) * 1e9; // × 2^16 below
    const lowPart = (low16 % TWO_32) + (high % 0x10000) * 0x10000 + nanos;
    const lo = lowPart % TWO_32;
    const hi = Math.floor(low16 / TWO_32) + Math.floor(high / 0x10000) + Math.floor(lowPart / TWO_32);
    this.buf.writeUInt32LE(lo, this.pos);
    this.buf.writeUInt32LE(hi >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string (its tag already written). */
  string(s: string): void {
    if (s.length < 43) {
      // At most 126 bytes of UTF-8: one length byte, written after.
      this.ensure(1 + s.length * 3);
      const n = this.buf.write(s, this.pos + 1, "utf8");
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, "utf8");
    this.varint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, "utf8");
  }

  /** A trace or span id, hex in the SDK, as length-delimited bytes (its tag already written). */
  hexId(hex: string, bytes: 8 | 16): void {
    this.ensure(1 + bytes);
    this.buf[this.pos] = bytes;
    const n = this.buf.write(hex, this.pos + 1, bytes, "hex");
    // An invalid id (not hex, short) is written as zeros, which the collector refuses, rather than misaligned.
    if (n < bytes) this.buf.fill(0, this.pos + 1 + n, this.pos + 1 + bytes);
    this.pos += 1 + bytes;
  }

  /** Length-delimited bytes (their tag already written). */
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.raw(b);
  }

  /** Bytes already encoded, as they are. */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Starts a nested message (its tag already written): returns where its body starts. */
  begin(): number {
    this.ensure(1);
    return ++this.pos;
  }

  /** Ends the nested message begun at `start`, writing its length before it. */
  end(start: number): void {
    const length = this.pos - start;
    if (length < 0x80) {
      this.buf[start - 1] = length;
      return;
    }
    let extra = 1;
    while (length >= 2 ** (7 * (extra + 1))) extra++;
    this.ensure(extra);
    this.buf.copy(this.buf, start + extra, start, this.pos);
    this.pos = start - 1;
    this.varint(length);
    this.pos += length;
  }

  /** The bytes written so far, copied out. */
  copy(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

function anyValue(w: ProtoWriter, value: unknown): void {
  switch (typeof value) {
    case "string":
      w.byte(0x0a);
      w.string(value);
      return;
    case "boolean":
      w.byte(0x10);
      w.byte(value ? 1 : 0);
      return;
    case "number":
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        w.byte(0x18);
        w.varint(value);
      } else {
        w.byte(0x21);
        w.double(value);
      }
      return;
  }
  if (value instanceof Uint8Array) {
    w.byte(0x3a);
    w.bytes(value);
  } else if (Array.isArray(value)) {
    w.byte(0x2a);
    const array = w.begin();
    for (const item of value as unknown[]) {
      w.byte(0x0a);
      const start = w.begin();
      anyValue(w, item);
      w.end(start);
    }
    w.end(array);
  } else if (typeof value === "object" && value !== null) {
    w.byte(0x32);
    const list = w.begin();
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      w.byte(0x0a);
      const start = w.begin();
      keyValue(w, key, (value as Record<string, unknown>)[key]);
      w.end(start);
    }
    w.end(list);
  }
  // Anything else (undefined, null, a function) is an empty AnyValue, as the SDK's serializer writes it.
}

function keyValue(w: ProtoWriter, key: string, value: unknown): void {
  w.byte(0x0a);
  w.string(key);
  w.byte(0x12);
  const start = w.begin();
  anyValue(w, value);
  w.end(start);
}

/** Each attribute as a KeyValue in the field whose one-byte tag is `tag`. */
function attributes(w: ProtoWriter, tag: number, attrs: Attributes | undefined): void {
  if (!attrs) return;
  for (const key in attrs) {
    if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
    w.byte(tag);
    const start = w.begin();
    keyValue(w, key, attrs[key]);
    w.end(start);
  }
}

function event(w: ProtoWriter, e: TimedEvent): void {
  w.byte(0x5a);
  const start = w.begin();
  w.byte(0x09);
  w.hrTime(e.time);
  w.byte(0x12);
  w.string(e.name);
  attributes(w, 0x1a, e.attributes);
  w.byte(0x20);
  w.varint(e.droppedAttributesCount ?? 0);
  w.end(start);
}

function link(w: ProtoWriter, l: Link): void {
  w.byte(0x6a);
  const start = w.begin();
  w.byte(0x0a);
  w.hexId(l.context.traceId, 16);
  w.byte(0x12);
  w.hexId(l.context.spanId, 8);
  const state = l.context.traceState?.serialize();
  if (state) {
    w.byte(0x1a);
    w.string(state);
  }
  attributes(w, 0x22, l.attributes);
  w.byte(0x28);
  w.varint(l.droppedAttributesCount ?? 0);
  w.byte(0x35);
  w.fixed32((l.context.traceFlags & 0xff) | HAS_IS_REMOTE | (l.context.isRemote ? IS_REMOTE : 0));
  w.end(start);
}

/** One span as a ScopeSpans `spans` field (tag 2): the Span message, with its tag. */
export function writeSpan(w: ProtoWriter, span: ReadableSpan): void {
  const ctx = span.spanContext();
  w.byte(0x12);
  const start = w.begin();
  w.byte(0x0a);
  w.hexId(ctx.traceId, 16);
  w.byte(0x12);
  w.hexId(ctx.spanId, 8);
  const state = ctx.traceState?.serialize();
  if (state) {
    w.byte(0x1a);
    w.string(state);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    w.byte(0x22);
    w.hexId(parent.spanId, 8);
  }
  w.byte(0x2a);
  w.string(span.name);
  // The API's SpanKind starts at INTERNAL = 0; the protocol's at UNSPECIFIED = 0.
  w.byte(0x30);
  w.varint(span.kind + 1);
  w.byte(0x39);
  w.hrTime(span.startTime);
  w.byte(0x41);
  w.hrTime(span.endTime);
  attributes(w, 0x4a, span.attributes);
  w.byte(0x50);
  w.varint(span.droppedAttributesCount);
  for (const e of span.events) event(w, e);
  w.byte(0x60);
  w.varint(span.droppedEventsCount);
  for (const l of span.links) link(w, l);
  w.byte(0x70);
  w.varint(span.droppedLinksCount);
  w.byte(0x7a);
  const status = w.begin();
  if (span.status.message) {
    w.byte(0x12);
    w.string(span.status.message);
  }
  w.byte(0x18);
  w.varint(span.status.code);
  w.end(status);
  w.tag2(16, 5);
  w.fixed32((ctx.traceFlags & 0xff) | HAS_IS_REMOTE | (parent?.isRemote ? IS_REMOTE : 0));
  w.end(start);
}

/** A Resource message's body. */
export function resourceBody(resource: Resource): Buffer {
  const w = new ProtoWriter(1_024);
  attributes(w, 0x0a, resource.attributes);
  w.byte(0x10);
  w.byte(0);
  return w.copy();
}

/** An InstrumentationScope message's body. */
export function scopeBody(scope: Scope): Buffer {
  const w = new ProtoWriter(256);
  w.byte(0x0a);
  w.string(scope.name);
  if (scope.version) {
    w.byte(0x12);
    w.string(scope.version);
  }
  // Scopes may carry attributes (instrumentationScope in newer SDKs); written as the SDK's serializer writes them.
  const extra = scope as Scope & { attributes?: Attributes; droppedAttributesCount?: number };
  attributes(w, 0x1a, extra.attributes);
  if (extra.droppedAttributesCount) {
    w.byte(0x20);
    w.varint(extra.droppedAttributesCount);
  }
  return w.copy();
}

/** The spans of one scope written so far, for one export request. */
export interface ScopeSpans {
  scope: Scope;
  spans: Buffer;
}

/** The spans of one resource, by scope. */
export interface ResourceSpans {
  resource: Resource;
  scopes: ScopeSpans[];
}

/**
 * An ExportTraceServiceRequest from spans already written: each resource and scope message around them, with the
 * resource's and scope's bodies from `bodies` (which may memoise them: they are the same in every export).
 */
export function exportRequest(
  resources: readonly ResourceSpans[],
  bodies: { resource: (r: Resource) => Buffer; scope: (s: Scope) => Buffer },
): Buffer {
  const w = new ProtoWriter(resources.reduce((n, r) => n + r.scopes.reduce((m, s) => m + s.spans.length, 0), 256));
  for (const { resource, scopes } of resources) {
    w.byte(0x0a);
    const rs = w.begin();
    w.byte(0x0a);
    w.bytes(bodies.resource(resource));
    for (const { scope, spans } of scopes) {
      w.byte(0x12);
      const ss = w.begin();
      w.byte(0x0a);
      w.bytes(bodies.scope(scope));
      w.raw(spans);
      if (scope.schemaUrl) {
        w.byte(0x1a);
        w.string(scope.schemaUrl);
      }
      w.end(ss);
    }
    if (resource.schemaUrl) {
      w.byte(0x1a);
      w.string(resource.schemaUrl);
    }
    w.end(rs);
  }
  return w.buf.subarray(0, w.pos);
}
