import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ROOT, run } from "./harness.js";

/**
 * `npm publish --dry-run` of the one published package (nothing is published): it builds the
 * bundle (prepack), and the manifest and file list are what a registry user would get.
 */

const PACKAGE = join(ROOT, "packages/ingot");

const DryRun = z.object({
  ingot: z.object({
    name: z.literal("ingot"),
    version: z.string(),
    files: z.array(z.object({ path: z.string(), size: z.number() })),
  }),
});

const Manifest = z.object({
  name: z.string(),
  version: z.string(),
  license: z.string(),
  repository: z.object({ type: z.literal("git"), url: z.string() }),
  files: z.array(z.string()),
  engines: z.object({ node: z.string() }),
  bin: z.object({ ingot: z.string() }),
  dependencies: z.record(z.string(), z.string()),
});

describe("npm publish --dry-run of ingot", () => {
  it("passes with a complete manifest, a README and only what the command needs", async () => {
    const { stdout, stderr } = await run("npm", ["publish", "--dry-run", "--json"], {
      cwd: PACKAGE,
    });
    expect(stderr).toContain("(dry-run)");
    const files = DryRun.parse(JSON.parse(stdout)).ingot.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        "README.md",
        "LICENSE",
        "package.json",
        "dist/ingot.js",
        "dist/THIRD_PARTY_LICENSES.md",
        "dist/dashboard/index.html",
      ]),
    );
    expect(files.filter((file) => /\.map$|^src\/|^test\//.test(file))).toEqual([]);

    const manifest = Manifest.parse(
      JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")),
    );
    expect(manifest.license).toBe("MIT");
    expect(manifest.engines.node).toBe(">=20.19");
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      "better-sqlite3",
      "canonicalize",
      "pg",
      "ws",
    ]);
    expect(readFileSync(join(PACKAGE, manifest.bin.ingot), "utf8")).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
  });

  it("keeps pg out of everything the SQLite path loads", () => {
    const entry = readFileSync(join(PACKAGE, "dist/ingot.js"), "utf8");
    // Static imports of other output files (`from"./chunk-….js"`, minified), not `import(…)`.
    const statics = [...entry.matchAll(/(?:from|import)\s*["']\.\/([^"']+)["']/g)].map(
      (match) => match[1] ?? "",
    );
    expect(statics.length).toBeGreaterThan(0);
    const loaded = [
      entry,
      ...statics.map((file) => readFileSync(join(PACKAGE, "dist", file), "utf8")),
    ];
    for (const code of loaded) expect(code).not.toMatch(/from\s*["']pg["']/);
    const chunks = [...entry.matchAll(/import\(["']\.\/([^"']+)["']\)/g)].map(
      (match) => match[1] ?? "",
    );
    const postgres = chunks.map((file) => readFileSync(join(PACKAGE, "dist", file), "utf8"));
    expect(postgres.some((code) => /from\s*["']pg["']/.test(code))).toBe(true);
  });
});
