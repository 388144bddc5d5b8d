#!/usr/bin/env node
// The `ingot` command. This file is checked in, not built: on a fresh clone npm links workspace
// bins before the root `prepare` script has built dist/, and skips a bin whose file is missing,
// so a bin pointing into dist/ left `npx ingot` with "could not determine executable to run".
import("../dist/bin.js").catch((error) => {
  const missing = error?.code === "ERR_MODULE_NOT_FOUND" && /dist[\\/]bin\.js/.test(error.message);
  if (!missing) throw error;
  process.stderr.write("ingot: not built yet; run `npm run build` at the repository root\n");
  process.exit(1);
});
