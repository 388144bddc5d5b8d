import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What a scripted app answers to an execution request of one function. */
export type RawAnswer =
  | { status: number; body: string; headers?: Record<string, string> }
  /** Never answer (the connection stays open until the server gives up). */
  | { hang: true };

/**
 * An app that speaks the SDK protocol only as far as a test needs: it answers execution requests
 * from a script, per function, and registers itself out of band. It lets tests send answers no
 * official SDK would (206 [], unknown ops, huge or deeply nested bodies, silence).
 */
export class RawApp {
  private server!: Server;
  url = "";
  readonly requests: { fn: string; at: number }[] = [];
  private readonly scripts = new Map<string, (request: IncomingMessage) => RawAnswer>();

  constructor(readonly id: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const fn = new URL(req.url ?? "/", "http://x").searchParams.get("fnId") ?? "";
      req.resume();
      req.on("end", () => {
        this.requests.push({ fn, at: Date.now() });
        const answer = this.scripts.get(fn)?.(req) ?? { status: 500, body: "{}" };
        if ("hang" in answer) return;
        res.writeHead(answer.status, {
          "content-type": "application/json",
          // Ingot treats an answer without it as not coming from an SDK.
          "x-inngest-sdk": "js:v4.24.0",
          ...answer.headers,
        });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/inngest`;
  }

  /** Scripts function `slug` (registered as `<app id>-<slug>`, triggered by `event`). */
  on(slug: string, answer: (request: IncomingMessage) => RawAnswer): void {
    this.scripts.set(`${this.id}-${slug}`, answer);
  }

  /** Registers the app's functions with Ingot, as the SDK does out of band. */
  async register(
    ingotUrl: string,
    functions: { slug: string; event: string; retries?: number }[],
  ): Promise<void> {
    const response = await fetch(`${ingotUrl}/fn/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        url: this.url,
        appName: this.id,
        sdk: "js:v4.24.0",
        framework: "raw",
        functions: functions.map(({ slug, event, retries }) => ({
          id: `${this.id}-${slug}`,
          name: slug,
          triggers: [{ event }],
          steps: {
            step: {
              id: "step",
              name: "step",
              runtime: { type: "http", url: `${this.url}?fnId=${this.id}-${slug}&stepId=step` },
              ...(retries === undefined ? {} : { retries: { attempts: retries } }),
            },
          },
        })),
      }),
    });
    if (!response.ok)
      throw new Error(`register failed: ${response.status} ${await response.text()}`);
  }

  count(slug: string): number {
    return this.requests.filter((request) => request.fn === `${this.id}-${slug}`).length;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** `[[[…]]]` nested `depth` levels deep, as JSON text. */
export const nested = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);
