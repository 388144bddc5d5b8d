import { builtinModules } from "node:module";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { build, type Metafile } from "esbuild";
import { z } from "zod";
import { thirdPartyLicenses } from "./licenses.js";

/**
 * Builds the published `ingot` package from the built workspace (`npm run build` first): the CLI
 * with the server, engine, gateway and both stores bundled into `dist/` (the Postgres store in a
 * chunk of its own, imported only for `--postgres-uri`), the built dashboard in `dist/dashboard/`,
 * and the licenses of everything bundled. Runs as `prepack`, so `npm pack` here packs fresh code.
 */

const PACKAGE = resolve(import.meta.dirname, "..");
const ROOT = resolve(PACKAGE, "../..");
const DIST = join(PACKAGE, "dist");
const CLI_ENTRY = join(ROOT, "packages/cli/dist/bin.js");
const DASHBOARD = join(ROOT, "packages/dashboard/dist");

const Manifest = z.object({
  version: z.string(),
  dependencies: z.record(z.string(), z.string()).optional(),
});
type Manifest = z.infer<typeof Manifest>;

const readManifest = (dir: string): Manifest =>
  Manifest.parse(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")));

const SourceMap = z.object({ sources: z.array(z.string()).default([]) });

/**
 * A bundled CommonJS module that calls `require` (of `events`, `stream`, …) needs a real one in
 * an ES module; `import.meta.url` makes it resolve from the bundle's own directory.
 */
const BANNER = [
  'import { createRequire as __ingotCreateRequire } from "node:module";',
  "const require = __ingotCreateRequire(import.meta.url);",
].join("\n");

function checkInputs(): void {
  for (const path of [CLI_ENTRY, join(DASHBOARD, "index.html")]) {
    if (!existsSync(path)) throw new Error(`${relative(ROOT, path)} is missing: run npm run build`);
  }
  const ours = readManifest(PACKAGE);
  const cli = readManifest(join(ROOT, "packages/cli"));
  if (ours.version !== cli.version)
    throw new Error(`ingot ${ours.version} and @ingot/cli ${cli.version} must have one version`);
}

/** Each dependency of the package has the range the workspace package using it declares. */
function checkDependencyRanges(): void {
  const declared = new Map<string, string>();
  for (const workspace of ["server", "store-sqlite", "store-postgres"]) {
    const manifest = readManifest(join(ROOT, "packages", workspace));
    for (const [name, range] of Object.entries(manifest.dependencies ?? {}))
      declared.set(name, range);
  }
  for (const [name, range] of Object.entries(readManifest(PACKAGE).dependencies ?? {})) {
    if (declared.get(name) !== range)
      throw new Error(
        `dependency ${name}@${range} differs from the workspace's ${declared.get(name)}`,
      );
  }
}

/** Bare imports left in the output: each must be a Node built-in or a declared dependency. */
function checkExternals(metafile: Metafile, dependencies: readonly string[]): void {
  // `node:` names are built-ins of some Node version (undici looks for `node:sqlite` lazily).
  const builtin = (path: string): boolean =>
    path.startsWith("node:") || builtinModules.includes(path);
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external || builtin(imported.path)) continue;
      const name = imported.path.startsWith("@")
        ? imported.path.split("/").slice(0, 2).join("/")
        : (imported.path.split("/")[0] ?? imported.path);
      if (!dependencies.includes(name))
        throw new Error(`${file} imports ${imported.path}, which is not a dependency of ingot`);
    }
  }
}

async function bundle(dependencies: readonly string[]): Promise<Metafile> {
  const result = await build({
    // Input paths in the metafile are relative to this.
    absWorkingDir: ROOT,
    entryPoints: { ingot: CLI_ENTRY },
    outdir: DIST,
    // Chunks beside the entry: code that reads `new URL("../package.json", import.meta.url)`
    // finds the package root from any of them.
    chunkNames: "[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    external: [...dependencies],
    banner: { js: BANNER },
    minifyWhitespace: true,
    minifySyntax: true,
    // Names stay readable in stack traces and logs (errors are classes with names).
    keepNames: true,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  return result.metafile;
}

function copyDashboard(): void {
  cpSync(DASHBOARD, join(DIST, "dashboard"), {
    recursive: true,
    filter: (source) => !source.endsWith(".map"),
  });
}

/** Packages whose code is in the output: from the bundle's inputs and the dashboard's map. */
function bundledSources(metafile: Metafile): string[] {
  const sources = Object.keys(metafile.inputs).map((input) => resolve(ROOT, input));
  const assets = join(DASHBOARD, "assets");
  for (const name of readdirSync(assets).filter((file) => file.endsWith(".js.map"))) {
    const map = SourceMap.parse(JSON.parse(readFileSync(join(assets, name), "utf8")));
    for (const source of map.sources) sources.push(resolve(assets, source));
  }
  return sources;
}

async function main(): Promise<void> {
  checkInputs();
  checkDependencyRanges();
  const dependencies = Object.keys(readManifest(PACKAGE).dependencies ?? {});
  rmSync(DIST, { recursive: true, force: true });
  const metafile = await bundle(dependencies);
  checkExternals(metafile, dependencies);
  copyDashboard();
  const licenses = thirdPartyLicenses(bundledSources(metafile));
  writeFileSync(join(DIST, "THIRD_PARTY_LICENSES.md"), licenses.text);
  const bytes = Object.values(metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  // stderr: `npm publish --json` prints the package's JSON on stdout.
  process.stderr.write(
    `ingot: bundled ${Object.keys(metafile.inputs).length} modules into ${Object.keys(metafile.outputs).length} files ` +
      `(${(bytes / 1024).toFixed(0)} KiB), ${licenses.count} third-party packages; dashboard copied\n`,
  );
}

await main();
