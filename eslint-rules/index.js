// The local lint plugin. Its one rule, `lookout/package-boundaries`: a module imports another top-level folder only
// through that folder's entry point, `<folder>/index.ts` (written `<folder>/index.js`, as NodeNext resolution wants).
// Inside a folder imports are free, and so are the root's own config files. So what a folder offers the others is the
// short list in its index.ts, and nothing reaches into another folder's insides (testkit/architecture.test.ts checks the
// rule, and that the module graph has no cycle).
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The top-level folder of a path inside the repository, or undefined for a file at the root or outside it. */
function topFolder(path) {
  const rel = relative(REPO_ROOT, path);
  if (rel.startsWith("..") || !rel.includes(sep)) return undefined;
  return rel.split(sep)[0];
}

export const packageBoundaries = {
  meta: {
    type: "problem",
    docs: { description: "import another top-level folder only through its index.ts" },
    schema: [],
    messages: {
      inside:
        "{{target}} is inside {{folder}}/: import {{folder}}/index.js instead (export what is needed from {{folder}}/index.ts)",
    },
  },
  create(context) {
    const file = context.filename;
    const own = topFolder(file);
    // Files at the root (eslint.config.js, vitest.config.ts) configure the repository; they belong to no folder.
    if (own === undefined) return {};
    const check = (source) => {
      if (!source || typeof source.value !== "string" || !source.value.startsWith(".")) return;
      const target = resolve(dirname(file), source.value);
      const folder = topFolder(target);
      if (folder === undefined || folder === own) return;
      const rel = relative(REPO_ROOT, target).split(sep).join("/");
      if (rel === `${folder}/index.js` || rel === `${folder}/index.ts`) return;
      context.report({ node: source, messageId: "inside", data: { target: rel, folder } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default { rules: { "package-boundaries": packageBoundaries } };
