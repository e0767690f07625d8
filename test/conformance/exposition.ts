/**
 * A reader of the Prometheus text exposition format, enough to compare two services' metrics family by family:
 * each family's TYPE and HELP, its samples' label names and, for histograms, the bucket bounds.
 */
export interface Family {
  name: string;
  type: string | undefined;
  help: string | undefined;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Families by name (a histogram's _bucket, _sum and _count samples belong to its family). */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let found = families.get(name);
    if (!found) families.set(name, (found = { name, type: undefined, help: undefined, samples: [] }));
    return found;
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("# HELP ")) {
      const [name, ...help] = line.slice(7).split(" ");
      family(name!).help = help.join(" ").replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
    } else if (line.startsWith("# TYPE ")) {
      const [name, type] = line.slice(7).split(" ");
      family(name!).type = type;
    } else if (line && !line.startsWith("#")) {
      const match = SAMPLE.exec(line);
      if (!match) throw new Error(`not an exposition sample line: ${line}`);
      const name = match[1]!;
      const labels = Object.fromEntries([...(match[2] ?? "").matchAll(LABEL)].map((m) => [m[1]!, m[2]!]));
      const owner = [...families.values()].find(
        (f) => f.name === name || (f.type === "histogram" && /^(.*)_(bucket|sum|count)$/.exec(name)?.[1] === f.name),
      );
      family(owner?.name ?? name).samples.push({ name, labels, value: Number(match[3]) });
    }
  }
  return families;
}

/** The label names a family's samples carry, without histogram's `le`. */
export function labelNames(family: Family): string[] {
  const names = new Set<string>();
  for (const sample of family.samples)
    for (const name of Object.keys(sample.labels)) if (name !== "le") names.add(name);
  return [...names].sort();
}

/** A histogram's bucket upper bounds, as numbers (`1` and `1.0` are the same bound), +Inf last. */
export function bucketBounds(family: Family): number[] {
  const bounds = new Set<number>();
  for (const sample of family.samples) {
    const le = sample.labels.le;
    if (sample.name.endsWith("_bucket") && le !== undefined) bounds.add(le === "+Inf" ? Infinity : Number(le));
  }
  return [...bounds].sort((a, b) => a - b);
}
