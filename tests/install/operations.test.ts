import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, get, type Server } from "node:http";
import { request } from "node:https";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../conformance/harness/ingot.js";
import { ROOT, run, type Running, start, waitFor } from "./harness.js";
import { markdownBlock } from "./readme.js";

/**
 * docs/operations.md as printed: its systemd unit through `systemd-analyze verify`, and its
 * nginx configuration run for real (TLS with a throw-away certificate) in front of a small
 * upstream that streams server-sent events, accepts a WebSocket upgrade and takes events.
 * `.ci/run` installs Debian's systemd and nginx when they are missing.
 */

const DOC = "docs/operations.md";
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "ingot-ops-"));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** `text` with `from` replaced by `to`; it must occur `times` times (else the doc changed). */
function swap(text: string, from: string, to: string, times = 1): string {
  expect(text.split(from).length - 1, `"${from}" in ${DOC}`).toBe(times);
  return text.replaceAll(from, to);
}

async function verify(unit: string): Promise<string> {
  const path = join(work, "ingot.service");
  writeFileSync(path, unit);
  // Exit code 0 even for unknown keys or bad values: those are reported on stderr.
  const { stdout, stderr } = await run("systemd-analyze", ["verify", path], { cwd: work });
  return stdout + stderr;
}

describe("the systemd unit of docs/operations.md", () => {
  const unit = (): string =>
    swap(
      markdownBlock(DOC, "## As a systemd service", "ini"),
      "ExecStart=/usr/bin/ingot ",
      `ExecStart=${join(ROOT, "packages/cli/bin/ingot.js")} `,
    );

  it("passes systemd-analyze verify without a word", async () => {
    expect(await verify(unit())).toBe("");
  });

  it("would be caught with a mistake in it", async () => {
    const broken = swap(unit(), "Restart=on-failure", "Restart=sometimes");
    expect(await verify(broken)).toMatch(/Failed to parse service restart specifier/);
  });
});

/** A WebSocket frame carrying `text` (unmasked, server to client). */
const textFrame = (text: string): Buffer =>
  Buffer.concat([Buffer.from([0x81, Buffer.byteLength(text)]), Buffer.from(text)]);

/** Stands in for Ingot: SSE on /sse, a WebSocket that greets, and /e/:key. */
function upstream(): Server {
  const server = createServer((req, res) => {
    if (req.url === "/sse") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      let n = 0;
      const send = (): void => {
        res.write(`data: ${n}\n\n`);
        if (++n === 4) res.end();
        else setTimeout(send, 400);
      };
      send();
      return;
    }
    let bytes = 0;
    req.on("data", (chunk: Buffer) => (bytes += chunk.length));
    req.on("end", () => res.end(JSON.stringify({ url: req.url, bytes })));
  });
  server.on("upgrade", (req, socket: Socket) => {
    const accept = createHash("sha1")
      .update(`${String(req.headers["sec-websocket-key"])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest("base64");
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.end(textFrame(`hello from ${req.url}`));
  });
  return server;
}

interface Reply {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  /** ms after the request when each chunk of the body arrived. */
  arrivals: number[];
}

function https(port: number, path: string, method = "GET", body?: Buffer): Promise<Reply> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const req = request(
      { host: "127.0.0.1", port, path, method, rejectUnauthorized: false },
      (res) => {
        let text = "";
        const arrivals: number[] = [];
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          arrivals.push(performance.now() - started);
        });
        res.on("end", () =>
          done({ status: res.statusCode ?? 0, headers: res.headers, body: text, arrivals }),
        );
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}

describe("the nginx configuration of docs/operations.md", () => {
  let nginx: Running;
  let backend: Server;
  let tls: number;
  let plain: number;

  beforeAll(async () => {
    [tls, plain] = [await freePort(), await freePort()];
    const up = await freePort();
    backend = upstream();
    await new Promise<void>((resolve) => backend.listen(up, "127.0.0.1", resolve));
    await run(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
      ].concat(["-keyout", join(work, "privkey.pem"), "-out", join(work, "fullchain.pem")]),
      { cwd: work },
    );
    let site = markdownBlock(DOC, "## Behind a TLS reverse proxy", "nginx");
    site = swap(site, "listen 80;", `listen 127.0.0.1:${plain};`);
    site = swap(site, "listen 443 ssl http2;", `listen 127.0.0.1:${tls} ssl http2;`);
    site = swap(site, "server 127.0.0.1:8288;", `server 127.0.0.1:${up};`);
    site = swap(site, "/etc/letsencrypt/live/ingot.example.com", work, 2);
    site = swap(site, "/var/log/nginx/ingot.access.log", join(work, "ingot.access.log"));
    writeFileSync(join(work, "ingot.conf"), site);
    writeFileSync(
      join(work, "nginx.conf"),
      [
        process.getuid?.() === 0 ? "user root;" : "",
        `pid ${work}/nginx.pid;`,
        `error_log ${work}/error.log;`,
        "events {}",
        "http {",
        `  access_log ${work}/access.log;`,
        ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(
          (kind) => `  ${kind}_temp_path ${work}/${kind};`,
        ),
        `  include ${work}/ingot.conf;`,
        "}",
      ].join("\n"),
    );
    await run("nginx", ["-t", "-c", join(work, "nginx.conf")], { cwd: work });
    nginx = await start("nginx", ["-c", join(work, "nginx.conf"), "-g", "daemon off;"], {
      cwd: work,
    });
    await waitFor("nginx", async () => (await https(tls, "/ready")).status);
  });

  afterAll(async () => {
    await nginx?.stop();
    await new Promise((resolve) => backend?.close(resolve));
  });

  it("redirects plain HTTP to HTTPS", async () => {
    const response = await new Promise<{ status: number; location: string }>((done, fail) => {
      get({ host: "127.0.0.1", port: plain, path: "/health" }, (res) => {
        res.resume();
        done({ status: res.statusCode ?? 0, location: String(res.headers.location) });
      }).on("error", fail);
    });
    expect(response).toEqual({ status: 301, location: "https://127.0.0.1/health" });
  });

  it("passes server-sent events on as they are written, not at the end", async () => {
    const reply = await https(tls, "/sse");
    expect(reply.body).toBe("data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\n");
    // Four events 400 ms apart: buffered, they would all arrive together at the end.
    const first = reply.arrivals[0] ?? 0;
    const last = reply.arrivals.at(-1) ?? 0;
    expect(reply.arrivals.length).toBeGreaterThanOrEqual(4);
    expect(last - first).toBeGreaterThan(800);
  });

  it("upgrades WebSocket connections (Realtime)", async () => {
    const greeting = await new Promise<string>((done, fail) => {
      const req = request({
        host: "127.0.0.1",
        port: tls,
        path: "/v1/realtime/connect",
        rejectUnauthorized: false,
        headers: {
          Connection: "Upgrade",
          Upgrade: "websocket",
          "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": Buffer.from("0123456789abcdef").toString("base64"),
        },
      });
      req.on("upgrade", (res, socket) => {
        expect(res.statusCode).toBe(101);
        let bytes = Buffer.alloc(0);
        socket.on("data", (chunk: Buffer) => (bytes = Buffer.concat([bytes, chunk])));
        socket.on("end", () => done(bytes.subarray(2).toString()));
      });
      req.on("response", (res) => fail(new Error(`no upgrade: HTTP ${res.statusCode}`)));
      req.on("error", fail);
      req.end();
    });
    expect(greeting).toBe("hello from /v1/realtime/connect");
  });

  it("takes 2 MiB events and keeps event keys out of its access log", async () => {
    const sent = await https(tls, "/e/secret-event-key", "POST", Buffer.alloc(2 * 2 ** 20, 32));
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.body)).toEqual({ url: "/e/secret-event-key", bytes: 2 * 2 ** 20 });
    const log = await waitFor("the access log line", async () => {
      const text = readFileSync(join(work, "ingot.access.log"), "utf8");
      return text.includes("POST /e/") ? text : undefined;
    });
    expect(log).toContain('"POST /e/<key>" 200');
    expect(log).not.toContain("secret-event-key");
  });
});
