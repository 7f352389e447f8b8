import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "build/", "lib/", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Tokens and secrets must never reach logs: every log line goes through functions/commons/log.ts.
      "no-console": ["error", { allow: ["error"] }],
    },
  },
  {
    files: ["tests/**", "local/**", "bench/**", "scripts/**"],
    rules: { "no-console": "off" },
  },
);
