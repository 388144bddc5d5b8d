import { describe, expect, it } from "vitest";
import { parseSse, type SseEvent } from "../src/index.js";
import { bytes, chunksOf } from "./helpers.js";

async function collect(source: AsyncIterable<Uint8Array | string>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const event of parseSse(source)) out.push(event);
  return out;
}

/** Every way of cutting `text` into two chunks, as bytes. */
function allSplits(text: string): Uint8Array[][] {
  const all = bytes(text);
  const splits: Uint8Array[][] = [];
  for (let i = 0; i <= all.length; i++) splits.push([all.slice(0, i), all.slice(i)]);
  return splits;
}

describe("parseSse", () => {
  it("parses data-only events (OpenAI chat)", async () => {
    expect(await collect(chunksOf('data: {"a":1}\n\ndata: [DONE]\n\n'))).toEqual([
      { data: '{"a":1}' },
      { data: "[DONE]" },
    ]);
  });

  it("keeps named events (Anthropic)", async () => {
    const text =
      'event: message_start\ndata: {"type":"message_start"}\n\nevent: ping\ndata: {"type": "ping"}\n\n';
    expect(await collect(chunksOf(text))).toEqual([
      { event: "message_start", data: '{"type":"message_start"}' },
      { event: "ping", data: '{"type": "ping"}' },
    ]);
  });

  it("accepts CRLF (Gemini) and lone CR line ends", async () => {
    expect(await collect(chunksOf('data: {"x":1}\r\n\r\ndata: 2\r\rdata: 3\n\n'))).toEqual([
      { data: '{"x":1}' },
      { data: "2" },
      { data: "3" },
    ]);
  });

  it("joins multi-line data with \\n and strips one leading space only", async () => {
    expect(await collect(chunksOf("data: first\ndata:second\ndata:  third\n\n"))).toEqual([
      { data: "first\nsecond\n third" },
    ]);
  });

  it("skips comments and keep-alive blank lines", async () => {
    const text =
      ": OPENROUTER PROCESSING\n\n: keep-alive\n\n\n\ndata: x\n: mid-event comment\n\n\n";
    expect(await collect(chunksOf(text))).toEqual([{ data: "x" }]);
  });

  it("ignores id, retry and unknown fields; a field without a colon has an empty value", async () => {
    const text = "id: 7\nretry: 1000\nfoo: bar\ndata\ndata: y\n\nevent: only-name\n\n";
    expect(await collect(chunksOf(text))).toEqual([{ data: "\ny" }]);
  });

  it("keeps an empty data line as an event with empty data", async () => {
    expect(await collect(chunksOf("data:\n\n"))).toEqual([{ data: "" }]);
  });

  it("gives the same events however the bytes are split, even inside UTF-8 and CRLF", async () => {
    const text =
      'event: delta\r\ndata: {"text":"héllo wörld 😀 日本"}\r\n\r\n:c\r\ndata: [DONE]\r\n\r\n';
    const expected = [
      { event: "delta", data: '{"text":"héllo wörld 😀 日本"}' },
      { data: "[DONE]" },
    ];
    for (const split of allSplits(text)) {
      expect(await collect(chunksOf(...split))).toEqual(expected);
    }
  });

  it("survives one byte per chunk", async () => {
    const text = 'data: {"t":"€uro"}\n\ndata: 2\n\n';
    const single = [...bytes(text)].map((b) => Uint8Array.of(b));
    expect(await collect(chunksOf(...single))).toEqual([{ data: '{"t":"€uro"}' }, { data: "2" }]);
  });

  it("delivers an event left open when the stream ends", async () => {
    expect(await collect(chunksOf("data: a\n\ndata: tail"))).toEqual([
      { data: "a" },
      { data: "tail" },
    ]);
    expect(await collect(chunksOf("data: cr-ended\r"))).toEqual([{ data: "cr-ended" }]);
  });

  it("drops a UTF-8 byte order mark", async () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes("data: x\n\n")]);
    expect(await collect(chunksOf(withBom))).toEqual([{ data: "x" }]);
  });

  it("accepts string chunks", async () => {
    async function* strings(): AsyncGenerator<string> {
      yield "data: a";
      yield "b\n";
      yield "\n";
    }
    expect(await collect(strings())).toEqual([{ data: "ab" }]);
  });
});
