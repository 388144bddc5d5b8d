import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";
import { z } from "zod";

/**
 * The license notices of third-party code that the package carries inside its bundles (MIT and
 * the like require the notice to travel with the code): one section per package, found from the
 * source files that went into the output.
 */

const PackageJson = z.object({
  name: z.string(),
  version: z.string(),
  license: z.string().optional(),
});

const NODE_MODULES = `${sep}node_modules${sep}`;

/** `/…/node_modules/@scope/name/lib/x.js` → `/…/node_modules/@scope/name`. */
function packageDir(file: string): string | undefined {
  const at = file.lastIndexOf(NODE_MODULES);
  if (at < 0) return undefined;
  const rest = file.slice(at + NODE_MODULES.length).split(sep);
  const depth = rest[0]?.startsWith("@") ? 2 : 1;
  return join(file.slice(0, at + NODE_MODULES.length), ...rest.slice(0, depth));
}

function licenseText(dir: string): string | undefined {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  return file ? readFileSync(join(dir, file), "utf8").trim() : undefined;
}

export function thirdPartyLicenses(sources: readonly string[]): { text: string; count: number } {
  const dirs = new Set<string>();
  for (const source of sources) {
    const dir = packageDir(source);
    if (dir && existsSync(join(dir, "package.json"))) dirs.add(dir);
  }
  const sections = [...dirs]
    .map((dir) => {
      const manifest = PackageJson.parse(
        JSON.parse(readFileSync(join(dir, "package.json"), "utf8")),
      );
      const text =
        licenseText(dir) ??
        `${manifest.license ?? "No license given"}: the package ships no license file; ` +
          `the text is at https://spdx.org/licenses/ under that identifier.`;
      return { id: `${manifest.name}@${manifest.version}`, license: manifest.license, text };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  const unique = sections.filter((section, i) => sections[i - 1]?.id !== section.id);
  const text = [
    "# Third-party software bundled in ingot",
    "",
    "The files in `dist/` include code from these packages, under their licenses:",
    "",
    ...unique.map((section) => `- ${section.id} (${section.license ?? "unknown"})`),
    "",
    ...unique.flatMap((section) => [`## ${section.id}`, "", "```", section.text, "```", ""]),
  ].join("\n");
  return { text, count: unique.length };
}
