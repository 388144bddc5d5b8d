import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/**
 * A real, throw-away PostgreSQL server for tests: `initdb` into a temp directory, `pg_ctl start`
 * on a free port (TCP on 127.0.0.1 and a Unix socket in the directory), trust authentication.
 * Start one per test file and create a fresh database per test. Postgres refuses to run as
 * root, so as root the server runs as the `postgres` user (`runuser`). Nothing is skipped: if
 * Postgres cannot start, the error says why. (Adapted from `packages/store-postgres/test`, as
 * examples do not import other packages' tests.)
 */
export class TestPostgres {
  private counter = 0;
  private running = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async start(): Promise<TestPostgres> {
    const bin = findBinaries();
    const dir = mkdtempSync(join(tmpdir(), "chat-pg-"));
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(dir, ...postgresUser());
    const server = new TestPostgres(dir, await freePort(), bin);
    live.add(server);
    try {
      await server.exec("initdb", [
        "-D",
        server.dataDir,
        "--auth=trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
      ]);
      await server.startServer();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get dataDir(): string {
    return join(this.dir, "data");
  }

  /** Connection string of a database on this server. */
  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /**
   * A new database (a copy of `template`, which must have no open connections, or empty);
   * returns its name and connection string.
   */
  async createDatabase(template?: string): Promise<{ name: string; url: string }> {
    const name = `t_${++this.counter}`;
    await this.admin(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`);
    return { name, url: this.url(name) };
  }

  async dropDatabase(name: string): Promise<void> {
    await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }

  /** A connected client (the caller ends it). */
  async connect(url = this.url()): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  }

  /** Runs one statement as the superuser on the `postgres` database. */
  async admin(sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
    const client = await this.connect();
    try {
      return await client.query(sql, values);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown: connections are terminated, the data stays. */
  async stopServer(): Promise<void> {
    if (!this.running) return;
    await this.exec("pg_ctl", ["-D", this.dataDir, "stop", "-m", "fast", "-w"]);
    this.running = false;
  }

  /** Starts the server (again, after `stopServer`); a no-op while it runs. */
  async startServer(): Promise<void> {
    if (this.running) return;
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=on`;
    try {
      await this.exec("pg_ctl", [
        "-D",
        this.dataDir,
        "-o",
        options,
        "-l",
        join(this.dir, "log"),
        "-w",
        "-t",
        "60",
        "start",
      ]);
    } catch (error) {
      throw new Error(`Postgres did not start; its log:\n${this.log()}`, { cause: error });
    }
    this.running = true;
  }

  async restart(): Promise<void> {
    await this.stopServer();
    await this.startServer();
  }

  /** Stops the server and removes its directory. */
  async stop(): Promise<void> {
    try {
      await this.stopServer();
    } finally {
      live.delete(this);
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  log(): string {
    const path = join(this.dir, "log");
    return existsSync(path) ? readFileSync(path, "utf8") : "(no log)";
  }

  /** Last resort when the test process exits without `stop()`. */
  kill(): void {
    if (this.running) {
      spawnSync(...this.command("pg_ctl", ["-D", this.dataDir, "stop", "-m", "immediate"]));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async exec(tool: string, args: string[]): Promise<void> {
    const [file, argv, options] = this.command(tool, args);
    await run(file, argv, options);
  }

  private command(
    tool: string,
    args: string[],
  ): [string, string[], { cwd: string; env: NodeJS.ProcessEnv }] {
    const path = join(this.bin, tool);
    const options = { cwd: this.dir, env: { ...process.env, LC_ALL: "C" } };
    return process.getuid?.() === 0
      ? ["runuser", ["-u", "postgres", "--", path, ...args], options]
      : [path, args, options];
  }
}

const live = new Set<TestPostgres>();
process.once("exit", () => {
  for (const server of live) server.kill();
});

function findBinaries(): string {
  const candidates = (process.env.PATH ?? "").split(":").filter(Boolean);
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join(debian, version, "bin")));
  }
  const found = candidates.find(
    (dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")),
  );
  if (!found) {
    throw new Error(
      "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin: install the Debian package `postgresql` (apt-get install postgresql) to run the Postgres store tests",
    );
  }
  return found;
}

function postgresUser(): [number, number] {
  const result = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const group = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (result.status !== 0 || group.status !== 0) {
    throw new Error(
      "running as root, but there is no `postgres` user to run the test server as: install the Debian package `postgresql`, which creates it",
    );
  }
  return [Number(result.stdout.trim()), Number(group.stdout.trim())];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
