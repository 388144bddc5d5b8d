import type { z } from "zod";

/** `events[2].data: expected an object, got array` — one line per issue, paths first. */
export function describeZodError(error: z.ZodError, root = ""): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = formatPath(root, issue.path);
      return path === "" ? issue.message : `${path}: ${issue.message}`;
    })
    .join("; ");
}

function formatPath(root: string, path: ReadonlyArray<PropertyKey>): string {
  let out = root;
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}
