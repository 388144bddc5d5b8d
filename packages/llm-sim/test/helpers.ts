import { afterEach } from "vitest";
import { isObject } from "../src/json.js";
import { startLlmSim, type LlmSim, type LlmSimOptions } from "../src/index.js";

const open: LlmSim[] = [];

/** Starts a simulator that is closed after the current test. */
export async function sim(options: LlmSimOptions = {}): Promise<LlmSim> {
  const s = await startLlmSim(options);
  open.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Parses an SSE body into `{event, data}` records (data left as text). */
export function parseSse(text: string): { event: string | undefined; data: string }[] {
  return text
    .split(/\r?\n\r?\n/u)
    .filter((block) => block.trim() !== "" && !block.startsWith(":"))
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split(/\r?\n/u)) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      return { event, data: data.join("\n") };
    });
}

export const chatBody = (
  text: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: text }],
  ...extra,
});

export const bearer = (key = "sk-test"): Record<string, string> => ({
  authorization: `Bearer ${key}`,
});

/** Awaits a rejection and narrows it to the expected error class (the assertion is the test). */
export async function rejection<T>(
  promise: Promise<unknown>,
  cls: abstract new (...args: never[]) => T,
): Promise<T> {
  const err = await promise.then(
    () => new Error("expected a rejection, but the promise resolved"),
    (e: unknown) => e,
  );
  if (!(err instanceof cls))
    throw new Error(`expected ${cls.name}, got ${String(err)}`, { cause: err });
  return err;
}

/** `choices[0].message` of an OpenAI-shaped body, or undefined. */
export function firstMessage(json: unknown): Record<string, unknown> | undefined {
  if (!isObject(json) || !Array.isArray(json["choices"])) return undefined;
  const choice: unknown = json["choices"][0];
  return isObject(choice) && isObject(choice["message"]) ? choice["message"] : undefined;
}
