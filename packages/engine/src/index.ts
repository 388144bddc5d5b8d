export * from "./state.js";
export * from "./inputs.js";
export * from "./decisions.js";
export * from "./context.js";
export { decide } from "./decide.js";
export { classifyResponse, parseRetryAfter, type SdkHttpResponse } from "./classify.js";
export * from "./expressions/index.js";
export * from "./flow/index.js";
