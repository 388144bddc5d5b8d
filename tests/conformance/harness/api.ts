/** Small client for Ingot's REST API used by the tests. */

export interface ApiRun {
  run_id: string;
  function_id: string;
  app_id: string;
  event_id: string | null;
  status: "Queued" | "Running" | "Completed" | "Failed" | "Cancelled";
  output: unknown;
  run_started_at: string;
  ended_at: string | null;
}

export interface ApiStep {
  step_id: string;
  name: string;
  op: string;
  status: string;
  output: unknown;
  attempts: number;
}

const TERMINAL = new Set(["Completed", "Failed", "Cancelled"]);

export class IngotApi {
  constructor(
    readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async json<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(this.url + path, {
      ...init,
      headers: {
        "content-type": "application/json",
        ...this.headers,
        ...(init.headers as Record<string, string>),
      },
    });
    const text = await response.text();
    return { status: response.status, body: (text === "" ? undefined : JSON.parse(text)) as T };
  }

  async syncApp(appUrl: string): Promise<void> {
    const { status, body } = await this.json("/v1/apps", {
      method: "POST",
      body: JSON.stringify({ url: appUrl }),
    });
    if (status !== 200) throw new Error(`sync failed: ${status} ${JSON.stringify(body)}`);
  }

  async send(events: unknown, key = "test"): Promise<string[]> {
    const { status, body } = await this.json<{ ids: string[] }>(`/e/${key}`, {
      method: "POST",
      body: JSON.stringify(events),
    });
    if (status !== 200) throw new Error(`send failed: ${status} ${JSON.stringify(body)}`);
    return body.ids;
  }

  async runsOf(eventId: string): Promise<ApiRun[]> {
    return (await this.json<{ data: ApiRun[] }>(`/v1/events/${eventId}/runs`)).body.data;
  }

  async run(runId: string): Promise<ApiRun> {
    return (await this.json<{ data: ApiRun }>(`/v1/runs/${runId}`)).body.data;
  }

  async steps(runId: string): Promise<ApiStep[]> {
    return (await this.json<{ data: ApiStep[] }>(`/v1/runs/${runId}/steps`)).body.data;
  }

  async history(runId: string): Promise<{ type: string; step_id: string | null; data: unknown }[]> {
    return (
      await this.json<{ data: { type: string; step_id: string | null; data: unknown }[] }>(
        `/v1/runs/${runId}/history`,
      )
    ).body.data;
  }

  /** Waits until the event has `count` runs and all of them ended. */
  async settled(
    eventId: string,
    options: { count?: number; timeoutMs?: number } = {},
  ): Promise<ApiRun[]> {
    const count = options.count ?? 1;
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    let runs: ApiRun[] = [];
    while (Date.now() < deadline) {
      runs = await this.runsOf(eventId);
      if (runs.length >= count && runs.every((run) => TERMINAL.has(run.status))) return runs;
      await sleep(25);
    }
    throw new Error(`runs of event ${eventId} did not settle: ${JSON.stringify(runs)}`);
  }

  /** Waits until the event started `count` runs (runs are created right after the event is accepted). */
  async started(eventId: string, count = 1, timeoutMs = 10_000): Promise<ApiRun[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const runs = await this.runsOf(eventId);
      if (runs.length >= count) return runs;
      await sleep(10);
    }
    throw new Error(`event ${eventId} started no run within ${timeoutMs} ms`);
  }

  /** Waits for a run to reach one of the statuses. */
  async waitFor(runId: string, statuses: string[], timeoutMs = 20_000): Promise<ApiRun> {
    const deadline = Date.now() + timeoutMs;
    let run: ApiRun | undefined;
    while (Date.now() < deadline) {
      run = await this.run(runId);
      if (statuses.includes(run.status)) return run;
      await sleep(25);
    }
    throw new Error(`run ${runId} did not reach ${statuses.join("/")}: ${JSON.stringify(run)}`);
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Counts how many times each step body ran. */
export class Counter {
  private readonly counts = new Map<string, number>();
  hit(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
