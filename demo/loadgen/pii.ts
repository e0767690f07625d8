/**
 * Fake personal data of the kinds real users paste into request fields: e-mail addresses, payment card numbers (valid
 * Luhn check digit, test BIN ranges), phone numbers, bearer tokens and API keys. All of it is synthetic; the load
 * generator puts it inside workflow descriptions and inputs so that the collector's redaction and the services'
 * logging discipline have real work, and tests can check none of it leaks.
 */
const FIRST = ["ada", "grace", "linus", "margaret", "alan", "barbara", "ken", "radia", "edsger", "frances"];
const LAST = [
  "lovelace",
  "hopper",
  "torvalds",
  "hamilton",
  "turing",
  "liskov",
  "thompson",
  "perlman",
  "dijkstra",
  "allen",
];
const DOMAINS = ["example.com", "example.org", "mail.example.net"];

export type Random = () => number;

/** A small seeded generator (mulberry32), so a test can replay exactly what a run sent. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const digits = (random: Random, n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join("");

export function email(random: Random): string {
  return `${pick(random, FIRST)}.${pick(random, LAST)}${Math.floor(random() * 10_000)}@${pick(random, DOMAINS)}`;
}

function luhnDigit(partial: string): number {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** A 16-digit card number from a test range, grouped by spaces or dashes half the time. */
export function cardNumber(random: Random): string {
  const partial = `${pick(random, ["4111", "5555", "4012"])}${digits(random, 11)}`;
  const full = `${partial}${luhnDigit(partial)}`;
  const sep = pick(random, ["", " ", "-"]);
  return sep ? (full.match(/.{4}/g) ?? []).join(sep) : full;
}

export function phoneNumber(random: Random): string {
  return pick(random, [
    `+1 415-555-${digits(random, 4)}`,
    `+44 20 7946 ${digits(random, 4)}`,
    `(212) 555-${digits(random, 4)}`,
  ]);
}

const base64url = (random: Random, n: number) => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  return Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
};

/** A JWT-shaped bearer token or an API key. */
export function secretToken(random: Random): string {
  return random() < 0.5
    ? `eyJhbGciOiJIUzI1NiJ9.${base64url(random, 36)}.${base64url(random, 43)}`
    : `sk_live_${base64url(random, 32)}`;
}
