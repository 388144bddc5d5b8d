import { parseArgs } from "node:util";
import { type ConfigFlags, parseRetention, type ServerMode } from "@ingot/server";

export const USAGE = `Usage:
  ingot dev   [-u URL]... [--port 8288] [--host 127.0.0.1] [--no-discovery] [--data-dir DIR] [--postgres-uri URI]
  ingot start --signing-key KEY --event-key KEY [-u URL]... [same flags as dev]

Options:
  -u, --url URL            app serve URL to sync (repeatable), e.g. http://127.0.0.1:3000/api/inngest
  -p, --port PORT          port to listen on (default 8288, or INGOT_PORT)
      --host HOST          interface to bind (default 127.0.0.1)
      --no-discovery       dev: do not probe well-known local ports for apps
      --data-dir DIR       where state is kept (default ./.ingot)
      --postgres-uri URI   keep state in Postgres instead of SQLite
      --signing-key KEY    start: key that signs requests to apps and authenticates the API
      --signing-key-fallback KEY  start: previous key, still accepted while rotating
      --event-key KEY      start: key apps use to send events (repeatable)
      --dashboard-token T  start: what the dashboard asks for at sign-in (default: the signing
                           key; or INGOT_DASHBOARD_TOKEN)
      --retry-base-ms MS   first retry delay (dev default 1000, start 15000)
      --app-concurrency N  requests in flight to one app at a time; more wait in order
                           (default 64)
      --ai-timeout-ms MS   deadline of one AI provider call attempt (default 600000)
      --ai-allow-host HOST start: host the AI gateway may call (repeatable, * wildcards;
                           default: the public provider APIs)
      --ai-allow-private   start: let the AI gateway reach private and loopback addresses
      --trust-proxy        believe X-Forwarded-For/-Proto/-Host from a reverse proxy in front
                           of Ingot (client address for sign-in throttling, Secure cookies);
                           or INGOT_TRUST_PROXY=1
      --retention DURATION delete finished runs (steps, history, AI calls) and events older
                           than this, e.g. 7d, 36h or 90m, at least 1s (default: off, keep
                           everything; or INGOT_RETENTION)
      --log-level LEVEL    fatal|error|warn|info|debug|trace|silent (default info)

Environment: INGOT_AI_KEYS="openai=sk-…,anthropic=…" gives Ingot provider keys to use when an
app's step.ai.infer call carries none.
  -h, --help               show this help`;

export type Command = { kind: "help" } | { kind: "run"; mode: ServerMode; flags: ConfigFlags };

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseCommand(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help")
    return { kind: "help" };
  if (command !== "dev" && command !== "start")
    throw new UsageError(`unknown command "${command}"; expected "dev" or "start"`);
  let values;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: "string", short: "u", multiple: true },
        "sdk-url": { type: "string", multiple: true },
        port: { type: "string", short: "p" },
        host: { type: "string" },
        "no-discovery": { type: "boolean" },
        "data-dir": { type: "string" },
        "postgres-uri": { type: "string" },
        "signing-key": { type: "string" },
        "signing-key-fallback": { type: "string" },
        "dashboard-token": { type: "string" },
        "event-key": { type: "string", multiple: true },
        "retry-base-ms": { type: "string" },
        "app-concurrency": { type: "string" },
        "ai-timeout-ms": { type: "string" },
        "ai-allow-host": { type: "string", multiple: true },
        "ai-allow-private": { type: "boolean" },
        "trust-proxy": { type: "boolean" },
        retention: { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { kind: "help" };
  const flags: ConfigFlags = {};
  const urls = [...(values.url ?? []), ...(values["sdk-url"] ?? [])];
  if (urls.length > 0) flags.appUrls = urls;
  if (values.port !== undefined) flags.port = integer("--port", values.port);
  if (values.host !== undefined) flags.host = values.host;
  if (values["no-discovery"]) flags.discovery = false;
  if (values["data-dir"] !== undefined) flags.dataDir = values["data-dir"];
  if (values["postgres-uri"] !== undefined) flags.postgresUri = values["postgres-uri"];
  if (values["signing-key"] !== undefined) flags.signingKey = values["signing-key"];
  if (values["signing-key-fallback"] !== undefined)
    flags.signingKeyFallback = values["signing-key-fallback"];
  if (values["event-key"] !== undefined) flags.eventKeys = values["event-key"];
  if (values["dashboard-token"] !== undefined) flags.dashboardToken = values["dashboard-token"];
  if (values["retry-base-ms"] !== undefined)
    flags.retryBaseMs = integer("--retry-base-ms", values["retry-base-ms"]);
  if (values["app-concurrency"] !== undefined)
    flags.appConcurrency = integer("--app-concurrency", values["app-concurrency"]);
  if (values["ai-timeout-ms"] !== undefined)
    flags.aiTimeoutMs = integer("--ai-timeout-ms", values["ai-timeout-ms"]);
  if (values["ai-allow-host"] !== undefined) flags.aiAllowHosts = values["ai-allow-host"];
  if (values["ai-allow-private"]) flags.aiAllowPrivate = true;
  if (values["trust-proxy"]) flags.trustProxy = true;
  if (values.retention !== undefined)
    flags.retentionMs = parseRetention(values.retention, "--retention");
  if (values["log-level"] !== undefined)
    flags.logLevel = values["log-level"] as ConfigFlags["logLevel"];
  return { kind: "run", mode: command, flags };
}

function integer(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new UsageError(`${name} expects an integer, got "${value}"`);
  return parsed;
}
