/** The real `ingot` CLI as a child process: the conformance suite's harness, shared. */
export {
  freePort,
  type IngotProcess,
  startIngot,
  tempDir,
} from "../../../../tests/conformance/harness/ingot.js";
