/** The few REST calls the tests make directly, to set up state and to check what the UI did. */

export interface ApiRun {
  run_id: string;
  function_id: string;
  event_id: string | null;
  status: string;
  output: unknown;
}

export class Api {
  constructor(readonly url: string) {}

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await fetch(this.url + path, {
      ...init,
      headers: { "content-type": "application/json" },
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async send(name: string, data: Record<string, unknown> = {}): Promise<string> {
    const body = await this.json<{ ids: string[] }>("/e/test", {
      method: "POST",
      body: JSON.stringify({ name, data }),
    });
    const id = body.ids[0];
    if (!id) throw new Error("no event id");
    return id;
  }

  async syncApp(url: string): Promise<void> {
    await this.json("/v1/apps", { method: "POST", body: JSON.stringify({ url }) });
  }

  async run(id: string): Promise<ApiRun> {
    return (await this.json<{ data: ApiRun }>(`/v1/runs/${id}`)).data;
  }

  async runsOf(eventId: string): Promise<ApiRun[]> {
    return (await this.json<{ data: ApiRun[] }>(`/v1/events/${eventId}/runs`)).data;
  }

  async steps(runId: string): Promise<{ name: string; status: string }[]> {
    return (
      await this.json<{ data: { name: string; status: string }[] }>(`/v1/runs/${runId}/steps`)
    ).data;
  }

  /** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
  async until<T>(
    what: string,
    check: () => Promise<T | undefined>,
    timeoutMs = 20_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The run the event started, once it exists. */
  async runOf(eventId: string): Promise<ApiRun> {
    return this.until(`a run of event ${eventId}`, async () => (await this.runsOf(eventId))[0]);
  }

  async waitForStatus(runId: string, status: string): Promise<ApiRun> {
    return this.until(`run ${runId} to be ${status}`, async () => {
      const run = await this.run(runId);
      return run.status === status ? run : undefined;
    });
  }
}
