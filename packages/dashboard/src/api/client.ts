import { array, type Decoder, isRecord } from "./decode";
import {
  type AiCall,
  type AiUsage,
  type App,
  decodeAiCall,
  decodeAiUsage,
  decodeApp,
  decodeCancelled,
  decodeData,
  decodeEvent,
  decodeFunction,
  decodeHistoryEntry,
  decodePage,
  decodeReplayed,
  decodeRun,
  decodeRunDetail,
  decodeRunIdAnswer,
  decodeSent,
  decodeSession,
  decodeStep,
  type HistoryEntry,
  type IngotEvent,
  type IngotFunction,
  type Run,
  type RunDetail,
  type RunStatus,
  type Session,
  type Step,
} from "./types";

/** An answer other than 2xx, or no answer at all (`status` 0). */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface RunQuery {
  status?: readonly RunStatus[];
  functionId?: string;
  from?: string;
  until?: string;
  cursor?: string;
  limit?: number;
}

/** Which runs a bulk action applies to (`POST /v1/runs/cancel` and `/replay`). */
export interface RunSelection {
  function_id?: string;
  status?: RunStatus[];
  from?: string;
  until?: string;
}

export interface Page<T> {
  data: T[];
  cursor: string | null;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

const enc = encodeURIComponent;

/** Reads the `{error, code}` body of a failed answer, falling back to the status text. */
async function failure(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const message =
    isRecord(body) && typeof body.error === "string"
      ? body.error
      : `${response.status} ${response.statusText}`.trim();
  const code = isRecord(body) && typeof body.code === "string" ? body.code : "http_error";
  return new ApiError(response.status, code, message);
}

/**
 * Typed client of Ingot's REST API (docs/api.md). Requests go to the page's own origin; in
 * `start` mode the session cookie set by `/auth/login` authenticates them. `onUnauthorized`
 * runs on every 401 so the app can show the sign-in screen.
 */
export class IngotClient {
  constructor(private readonly onUnauthorized: () => void = () => undefined) {}

  private async request<T>(path: string, decoder: Decoder<T>, init: RequestInit = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        ...init,
        credentials: "same-origin",
        headers: {
          accept: "application/json",
          ...(init.body ? { "content-type": "application/json" } : {}),
        },
      });
    } catch (cause) {
      throw new ApiError(0, "network", "Ingot is not reachable. Is the server running?", { cause });
    }
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) throw await failure(response);
    return decoder(await response.json(), `${init.method ?? "GET"} ${path.split("?")[0]}`);
  }

  private post<T>(path: string, body: unknown, decoder: Decoder<T>): Promise<T> {
    return this.request(path, decoder, { method: "POST", body: JSON.stringify(body) });
  }

  session(): Promise<Session> {
    return this.request("/auth/session", decodeSession);
  }
  async login(token: string): Promise<void> {
    await this.post("/auth/login", { token }, () => undefined);
  }
  async logout(): Promise<void> {
    await this.post("/auth/logout", {}, () => undefined);
  }

  runs(q: RunQuery = {}): Promise<Page<Run>> {
    const path = `/v1/runs${query({
      status: q.status?.join(","),
      function_id: q.functionId,
      from: q.from,
      until: q.until,
      cursor: q.cursor,
      limit: q.limit,
    })}`;
    return this.request(path, decodePage(decodeRun));
  }
  run(id: string): Promise<RunDetail> {
    return this.request(`/v1/runs/${enc(id)}`, decodeData(decodeRunDetail));
  }
  steps(id: string): Promise<Step[]> {
    return this.request(`/v1/runs/${enc(id)}/steps`, decodeData(array(decodeStep)));
  }
  history(id: string): Promise<HistoryEntry[]> {
    return this.request(`/v1/runs/${enc(id)}/history`, decodeData(array(decodeHistoryEntry)));
  }
  aiCalls(id: string): Promise<AiCall[]> {
    return this.request(`/v1/runs/${enc(id)}/ai`, decodeData(array(decodeAiCall)));
  }
  aiUsage(groupBy: "model" | "provider" | "function", from?: string): Promise<AiUsage[]> {
    return this.request(
      `/v1/ai/usage${query({ group_by: groupBy, from })}`,
      decodeData(array(decodeAiUsage)),
    );
  }
  cancelRun(id: string): Promise<Run> {
    return this.request(`/v1/runs/${enc(id)}`, decodeData(decodeRun), { method: "DELETE" });
  }
  async rerun(id: string): Promise<string> {
    return (await this.post(`/v1/runs/${enc(id)}/rerun`, {}, decodeRunIdAnswer)).run_id;
  }
  async cancelMany(selection: RunSelection): Promise<number> {
    return (await this.post("/v1/runs/cancel", selection, decodeCancelled)).cancelled;
  }
  replayMany(selection: RunSelection): Promise<{ replayed: number; run_ids: string[] }> {
    return this.post("/v1/runs/replay", selection, decodeReplayed);
  }

  events(q: { name?: string; cursor?: string; limit?: number } = {}): Promise<Page<IngotEvent>> {
    return this.request(`/v1/events${query(q)}`, decodePage(decodeEvent));
  }
  event(id: string): Promise<IngotEvent> {
    return this.request(`/v1/events/${enc(id)}`, decodeData(decodeEvent));
  }
  eventRuns(id: string): Promise<Run[]> {
    return this.request(`/v1/events/${enc(id)}/runs`, decodeData(array(decodeRun)));
  }
  async sendEvent(payload: unknown): Promise<string[]> {
    return (await this.post("/v1/events", payload, decodeSent)).ids;
  }

  apps(): Promise<App[]> {
    return this.request("/v1/apps", decodeData(array(decodeApp)));
  }
  async addApp(url: string): Promise<void> {
    await this.post("/v1/apps", { url }, () => undefined);
  }
  async syncApp(id: string): Promise<void> {
    await this.post(`/v1/apps/${enc(id)}/sync`, {}, () => undefined);
  }
  async removeApp(id: string): Promise<void> {
    await this.request(`/v1/apps/${enc(id)}`, () => undefined, { method: "DELETE" });
  }

  functions(): Promise<IngotFunction[]> {
    return this.request("/v1/functions", decodeData(array(decodeFunction)));
  }
  async invoke(functionId: string, data: Record<string, unknown>): Promise<string> {
    return (await this.post(`/v1/functions/${enc(functionId)}/invoke`, { data }, decodeRunIdAnswer))
      .run_id;
  }
}
