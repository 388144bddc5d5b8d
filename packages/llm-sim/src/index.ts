export { startLlmSim } from "./server.js";
export { parseDirectives, stripDirectives, type Directive } from "./directives.js";
export { cosine, embed, tokenize, DEFAULT_DIMENSIONS } from "./embeddings.js";
export { argsFromSchema } from "./schema-args.js";
export {
  Dialect,
  Endpoint,
  type Behaviour,
  type ErrorOverride,
  type KeyPolicy,
  type LlmSim,
  type LlmSimOptions,
  type MatchFn,
  type MatchSpec,
  type RecordedRequest,
  type Rule,
  type ToolCallSpec,
} from "./types.js";
