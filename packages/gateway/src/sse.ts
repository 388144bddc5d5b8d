/**
 * Server-sent events, parsed as the WHATWG event-stream grammar says, and as leniently as the
 * providers need: lines end in LF, CRLF or CR (Google's front end sends CRLF); `:` lines are
 * comments (OpenRouter `: OPENROUTER PROCESSING`, DeepSeek `: keep-alive`); several `data:` lines
 * join with `\n`; blank lines with no data dispatch nothing. Chunk boundaries may fall anywhere,
 * inside a line, between CR and LF, or inside a multi-byte UTF-8 character.
 */
export interface SseEvent {
  /** The `event:` field, when the stream names its events (Anthropic, Responses). */
  event?: string;
  data: string;
}

/** Splits text into lines, holding back a trailing CR until it is known whether LF follows. */
class LineSplitter {
  private buffer = "";

  push(text: string): string[] {
    // The held text has no line end except maybe a final CR: scan only from there.
    const from = Math.max(0, this.buffer.length - 1);
    this.buffer += text;
    const lines: string[] = [];
    let start = 0;
    for (let i = from; i < this.buffer.length; i++) {
      const ch = this.buffer.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      if (ch === 13 && i === this.buffer.length - 1) break;
      lines.push(this.buffer.slice(start, i));
      if (ch === 13 && this.buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return lines;
  }

  /** The unterminated last line, if any (a CR at the very end also ends a line). */
  end(): string[] {
    const rest = this.buffer;
    this.buffer = "";
    if (rest === "") return [];
    return [rest.endsWith("\r") ? rest.slice(0, -1) : rest];
  }
}

class EventBuilder {
  private event: string | undefined;
  private data: string[] = [];

  /** Feeds one line; returns an event when the line is the blank line that ends one. */
  line(line: string): SseEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "data") this.data.push(value);
    else if (name === "event") this.event = value;
    // `id` and `retry` matter to browsers reconnecting, not to a one-shot provider call.
    return undefined;
  }

  dispatch(): SseEvent | undefined {
    const event = this.event;
    const data = this.data;
    this.event = undefined;
    this.data = [];
    if (data.length === 0) return undefined;
    return event === undefined || event === ""
      ? { data: data.join("\n") }
      : { event, data: data.join("\n") };
  }
}

/**
 * Parses an SSE byte stream into events. An event still open when the stream ends is delivered
 * (as the OpenAI SDK's decoder does); whether the stream was complete is for the assembler to
 * judge by the provider's terminal marker.
 */
export async function* parseSse(
  body: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<SseEvent, void, undefined> {
  // `stream: true` keeps an incomplete multi-byte sequence for the next chunk; the BOM is dropped.
  const decoder = new TextDecoder("utf-8");
  const lines = new LineSplitter();
  const builder = new EventBuilder();
  for await (const chunk of body) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    for (const line of lines.push(text)) {
      const event = builder.line(line);
      if (event) yield event;
    }
  }
  for (const line of [...lines.push(decoder.decode()), ...lines.end()]) {
    const event = builder.line(line);
    if (event) yield event;
  }
  const last = builder.dispatch();
  if (last) yield last;
}
