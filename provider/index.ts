/**
 * The component provider: serves `IdentityGateway` to Python, Go, .NET and YAML programs, which
 * add it with `pulumi package add` (PulumiPlugin.yaml names this file). Pulumi asks it for its
 * schema, generates an SDK in the program's language from it, and calls it to construct each
 * instance.
 *
 * `componentProviderHost` (@pulumi/pulumi/provider/experimental) infers the schema from the
 * TypeScript types and doc comments of the component and its args (infra/component/args.ts), so
 * the SDKs' types and docs are the TypeScript ones. It reads the package.json and tsconfig.json
 * of `dirname`: this directory's, whose `main` is the library's source entry, because the root
 * package.json points at the compiled library and the root index.ts is the stack program.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import {
  componentProviderHost,
  type ComponentProviderOptions,
} from "@pulumi/pulumi/provider/experimental";

import { IdentityGateway } from "../infra/component";

/** The package name, the first part of the type token `identity-gateway:index:IdentityGateway`. */
export const PACKAGE_NAME = "identity-gateway";

/** The provider's options; the version is the package's own (root package.json). */
export function providerOptions(): ComponentProviderOptions & { version: string } {
  const root = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8"));
  return {
    components: [IdentityGateway],
    name: PACKAGE_NAME,
    dirname: __dirname,
    version: root.version as string,
  };
}

if (require.main === module) {
  void componentProviderHost(providerOptions());
}
