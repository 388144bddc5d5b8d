export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

/** Parses JSON and turns V8's "at position N" into a line and column a person can find. */
export function parseJson(text: string): JsonParse {
  if (text.trim() === "") return { ok: false, message: "Enter a JSON value." };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message)?.[1];
    if (position === undefined) return { ok: false, message };
    const before = text.slice(0, Number(position));
    const line = before.split("\n").length;
    const column = Number(position) - before.lastIndexOf("\n");
    return {
      ok: false,
      message: `${message.replace(/ in JSON at position \d+.*$/, "")} (line ${line}, column ${column})`,
    };
  }
}
