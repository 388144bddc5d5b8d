import { readFileSync } from "node:fs";

/**
 * The version in this package's package.json, one directory above the running file: `dist/` in
 * the workspace and in the published package alike.
 */
export function ingotVersion(): string {
  const manifest: unknown = JSON.parse(
    readFileSync(new URL("../package.json", import.meta.url), "utf8"),
  );
  if (
    typeof manifest === "object" &&
    manifest !== null &&
    "version" in manifest &&
    typeof manifest.version === "string"
  )
    return manifest.version;
  throw new Error("package.json has no version");
}
