/**
 * The JSON path subset flows use: `$`, `.name`, `["name"]`, `[index]` (negative counts from the end) and `.length`
 * of an array or string. Enough to point at one value; filters and wildcards are out of scope.
 */

const SEGMENT = /\.([A-Za-z_$][A-Za-z0-9_$-]*)|\[(-?[0-9]+)\]|\["([^"\]]+)"\]/y;

export type PathSegment = string | number;

/** Parses a path, or returns the reason it is not one. */
export function parsePath(path: string): PathSegment[] | string {
  if (!path.startsWith("$")) return `JSON path "${path}" must start with "$"`;
  const segments: PathSegment[] = [];
  SEGMENT.lastIndex = 1;
  while (SEGMENT.lastIndex < path.length) {
    const at = SEGMENT.lastIndex;
    const match = SEGMENT.exec(path);
    if (!match) return `JSON path "${path}" is not valid at character ${at + 1} ("${path.slice(at)}")`;
    segments.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : match[3]!));
  }
  return segments;
}

export function evaluatePath(value: unknown, path: string): { found: boolean; value: unknown } {
  const segments = parsePath(path);
  if (typeof segments === "string") throw new Error(segments);
  let current: unknown = value;
  for (const segment of segments) {
    if (segment === "length" && (Array.isArray(current) || typeof current === "string")) {
      current = current.length;
      continue;
    }
    if (typeof segment === "number") {
      if (!Array.isArray(current)) return { found: false, value: undefined };
      const index = segment < 0 ? current.length + segment : segment;
      if (index < 0 || index >= current.length) return { found: false, value: undefined };
      current = current[index];
      continue;
    }
    if (!current || typeof current !== "object" || Array.isArray(current) || !Object.hasOwn(current, segment))
      return { found: false, value: undefined };
    current = (current as Record<string, unknown>)[segment];
  }
  return { found: true, value: current };
}
