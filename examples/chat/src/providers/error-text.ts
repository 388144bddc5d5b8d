import { z } from "zod";

/** The error shapes providers answer with: OpenAI/OpenRouter/Gemini `{error: {message}}`, Anthropic `{type: "error", error: {message}}`, xAI `{error: "…"}`. */
const ErrorBody = z.union([
  z.object({ error: z.string() }),
  z.object({ error: z.object({ message: z.string() }) }),
  z.object({ message: z.string() }),
]);

/** A provider's error body, shortened to what a person needs to read; undefined if unreadable. */
export function providerErrorText(body: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const text = body.trim();
    // Plain text from a proxy is worth showing; an HTML error page or a stack trace is not.
    return text !== "" && text.length <= 300 && !text.startsWith("<") && !/\n\s+at /u.test(text)
      ? text
      : undefined;
  }
  const parsed = ErrorBody.safeParse(json);
  if (!parsed.success) return undefined;
  const data = parsed.data;
  const message =
    "message" in data
      ? data.message
      : typeof data.error === "string"
        ? data.error
        : data.error.message;
  return message.slice(0, 300);
}
