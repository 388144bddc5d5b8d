/** One turn of the conversation as the model sees it. */
export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}

/** What the chat sends to a model, independent of the provider's wire format. */
export interface ChatPrompt {
  system: string;
  /** History, then the current user message last. */
  turns: ChatTurn[];
  temperature: number | undefined;
  maxTokens: number | undefined;
}

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
}

/** A model's answer, parsed from any provider's response. */
export interface ModelAnswer {
  text: string;
  usage: TokenUsage | null;
  model: string | null;
}

/** An HTTP request to a provider, built by the chat app (direct path and embeddings). */
export interface ProviderRequest {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}
