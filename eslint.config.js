// Lint config: typescript-eslint's type-aware recommended rules; `npm run check` runs it with --max-warnings 0.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import lookout from "./eslint-rules/index.js";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "dist-dev/**",
      "instrumentation/dist/**",
      "node_modules/**",
      "coverage/**",
      "bench/results/**",
      "**/_build/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    // Other folders are used through their index.ts only (eslint-rules/index.js).
    plugins: { lookout },
    rules: { "lookout/package-boundaries": "error" },
  },
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ["*.js", "eslint-rules/*.js", "bin/*.mjs", "test/conformance/fixtures/*.mjs"],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": "error",
    },
  },
  {
    // Vitest reports the tests of a suite whose beforeAll threw as skipped; testkit/suite.ts's setUpSuite makes
    // them fail instead, so suites set up through it.
    files: ["**/*.test.ts", "test/**/*.ts", "bench/**/*.ts", "testkit/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "vitest",
              importNames: ["beforeAll"],
              message: "use setUpSuite from testkit/suite.ts: a failed set-up then fails the suite's tests.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    // CommonJS fixtures: OpenTelemetry's instrumentations patch require() without a loader.
    files: ["**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: "commonjs",
      globals: { process: "readonly", console: "readonly", require: "readonly" },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, "@typescript-eslint/no-require-imports": "off" },
  },
);
