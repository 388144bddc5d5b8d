#!/usr/bin/env node
// Checked in, not built, for the reason given in packages/cli/bin/ingot.js: npm links workspace
// bins before the root `prepare` script builds dist/, and skips a bin whose file is missing.
import("../dist/bin.js").catch((error) => {
  const missing = error?.code === "ERR_MODULE_NOT_FOUND" && /dist[\\/]bin\.js/.test(error.message);
  if (!missing) throw error;
  process.stderr.write(
    "ingot-llm-sim: not built yet; run `npm run build` at the repository root\n",
  );
  process.exit(1);
});
