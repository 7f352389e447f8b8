/**
 * Stack configuration: declared once (`schema.ts`), read once (`load.ts`), validated once
 * (`parse.ts`), typed (`types.ts`). Everything is re-exported here, so `import … from
 * "../infra/config"` is the one way in.
 */
export * from "./aws";
export * from "./load";
export * from "./parse";
export * from "./presets";
export * from "./schema";
export * from "./types";
