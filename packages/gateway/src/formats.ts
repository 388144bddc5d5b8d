/**
 * The op `format` decides the wire shape of the provider's answer. Several formats share one shape:
 * `grok`, `azure-openai` and any unknown value speak OpenAI Chat Completions, as in Inngest's
 * gateway (ai-gateway.md §1.4, §2.1).
 */
export const WireFamily = {
  openaiChat: "openai-chat",
  openaiResponses: "openai-responses",
  anthropic: "anthropic",
  gemini: "gemini",
  bedrock: "bedrock",
} as const;
export type WireFamily = (typeof WireFamily)[keyof typeof WireFamily];

export function wireFamily(format: string): WireFamily {
  switch (format) {
    case "openai-responses":
      return WireFamily.openaiResponses;
    case "anthropic":
      return WireFamily.anthropic;
    case "gemini":
      return WireFamily.gemini;
    case "bedrock":
      return WireFamily.bedrock;
    default:
      return WireFamily.openaiChat;
  }
}
