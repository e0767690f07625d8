/**
 * The `cors:` section: which browser origins may call the aggregator's API from their pages. Default: none, so a
 * page on another origin cannot read any reply. Each entry must be an origin exactly as a browser sends it in the
 * `Origin` header (scheme, host, optional port; no path, no trailing slash, no wildcard), since a request is allowed
 * only when its Origin equals one of them.
 */
export interface RawCorsConfig {
  origins?: string[];
}

export interface CorsConfig {
  /** Origins allowed to read replies, e.g. `https://dashboards.example.com`. Empty: no cross-origin access. */
  origins: string[];
}

/** Why text is not an origin a browser could send, or undefined when it is one. */
export function originProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `scheme ${url.protocol} is not http: or https:`;
  if (url.origin !== text) return `not an origin: write it as the browser sends it, "${url.origin}"`;
  return undefined;
}

export function corsProblems(raw: RawCorsConfig): { path: string; message: string }[] {
  return (raw.origins ?? []).flatMap((origin, i) => {
    const problem = originProblem(origin);
    return problem
      ? [{ path: `/cors/origins/${i}`, message: `cors.origins: ${JSON.stringify(origin)} is ${problem}` }]
      : [];
  });
}

export function toCorsConfig(raw: RawCorsConfig | undefined): CorsConfig {
  return { origins: [...new Set(raw?.origins ?? [])] };
}
