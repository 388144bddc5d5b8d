/** A Server-Sent Event as a test reads it, with its arrival time. */
export interface ReceivedEvent {
  id: string | undefined;
  event: string;
  data: any;
  at: number;
}

/**
 * Reads an SSE response to its end (or until `until` says stop), calling `onEvent` as events
 * arrive so a test can act mid-stream.
 */
export async function readEvents(
  url: string,
  options: {
    headers?: Record<string, string>;
    onEvent?: (event: ReceivedEvent) => void | Promise<void>;
    until?: (event: ReceivedEvent) => boolean;
  } = {},
): Promise<{ status: number; contentType: string | null; events: ReceivedEvent[] }> {
  const response = await fetch(url, {
    headers: { accept: "text/event-stream", ...options.headers },
  });
  const events: ReceivedEvent[] = [];
  if (!response.body || !response.ok)
    return { status: response.status, contentType: response.headers.get("content-type"), events };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  outer: for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith(":")) continue;
      const event: ReceivedEvent = { id: undefined, event: "message", data: null, at: Date.now() };
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) event.id = line.slice(4);
        else if (line.startsWith("event: ")) event.event = line.slice(7);
        else if (line.startsWith("data: ")) event.data = JSON.parse(line.slice(6));
      }
      events.push(event);
      await options.onEvent?.(event);
      if (options.until?.(event)) {
        await reader.cancel();
        break outer;
      }
    }
  }
  return { status: response.status, contentType: response.headers.get("content-type"), events };
}
