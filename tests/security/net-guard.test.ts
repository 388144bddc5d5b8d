import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ProviderClient } from "@ingot/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addressRefusal,
  isPrivateAddress,
  publicOnlyConnector,
} from "../../packages/server/src/security/net-guard.js";

/**
 * Finding 2: the private-address guard. Every spelling of a non-public address is refused, as a
 * literal (the way the URL parser leaves it) and at connect time.
 */

/** Spellings of loopback 127.0.0.1 a URL may carry, and what the URL parser makes of them. */
const LOOPBACK_SPELLINGS = [
  "127.0.0.1",
  "127.1",
  "127.0.1",
  "2130706433",
  "0x7f000001",
  "0x7f.0.0.1",
  "0x7f.1",
  "0177.0.0.1",
  "0177.1",
  "017700000001",
  "127.000.000.001",
  "[::ffff:127.0.0.1]",
  "[::ffff:7f00:1]",
  "[0:0:0:0:0:ffff:7f00:1]",
  "[0000:0000:0000:0000:0000:ffff:127.0.0.1]",
  "[::127.0.0.1]",
  "[::7f00:1]",
  "[::ffff:0:127.0.0.1]",
  "[64:ff9b::127.0.0.1]",
  "[64:ff9b::7f00:1]",
  "[64:ff9b:1::7f00:1]",
  "[2002:7f00:1::]",
  "[::1]",
  "[0:0:0:0:0:0:0:1]",
];

/** Other non-public ranges, in several spellings each. */
const OTHER_PRIVATE = [
  "10.0.0.1",
  "012.0.0.1",
  "0xa.0.0.1",
  "167772161",
  "172.16.0.1",
  "172.31.255.255",
  "192.168.1.1",
  "0xc0.0xa8.1.1",
  "169.254.169.254",
  "0xa9fea9fe",
  "2852039166",
  "[::ffff:169.254.169.254]",
  "[::ffff:a9fe:a9fe]",
  "[64:ff9b::169.254.169.254]",
  "100.64.0.1",
  "0.0.0.0",
  "0",
  "[::]",
  "255.255.255.255",
  "224.0.0.1",
  "[fe80::1]",
  "[febf::1]",
  "[fc00::1]",
  "[fd12:3456::1]",
  "[ff02::1]",
  "[::ffff:10.0.0.1]",
  "[::ffff:192.168.0.1]",
  "[::192.168.0.1]",
  "[2002:c0a8:101::1]",
  "[2001:db8::1]",
  "198.18.0.1",
  "192.0.2.1",
];

const PUBLIC = [
  "8.8.8.8",
  "1.1.1.1",
  "[2606:4700:4700::1111]",
  "[::ffff:8.8.8.8]",
  "[64:ff9b::8.8.8.8]",
];

/** The host as Ingot sees it: after the WHATWG URL parser, as undici does. */
const hostOf = (spelling: string): string => new URL(`http://${spelling}:8080/`).hostname;

describe("the private-address guard", () => {
  it.each([...LOOPBACK_SPELLINGS, ...OTHER_PRIVATE])("refuses %s", (spelling) => {
    expect(addressRefusal(hostOf(spelling))).toBeDefined();
    expect(isPrivateAddress(hostOf(spelling))).toBe(true);
  });

  it.each(PUBLIC)("allows the public address %s", (spelling) => {
    expect(addressRefusal(hostOf(spelling))).toBeUndefined();
  });

  it("covers every form the issue lists", () => {
    const forms = [...LOOPBACK_SPELLINGS, ...OTHER_PRIVATE];
    // hex, dotted, decimal, octal, IPv4-mapped and -compatible, NAT64, 6to4
    for (const sample of ["0x7f.0.0.1", "127.1", "2130706433", "0177.0.0.1"])
      expect(forms).toContain(sample);
    for (const sample of [
      "[::ffff:7f00:1]",
      "[::127.0.0.1]",
      "[64:ff9b::7f00:1]",
      "[2002:7f00:1::]",
    ])
      expect(forms).toContain(sample);
    expect(forms.length).toBeGreaterThanOrEqual(50);
  });
});

describe("the connect-time guard", () => {
  let target: Server;
  let port = 0;
  let hits = 0;
  const guarded = new ProviderClient({ connect: publicOnlyConnector() });

  beforeAll(async () => {
    target = createServer((_req, res) => {
      hits += 1;
      res.end("the loopback page");
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    port = (target.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await guarded.close();
    await new Promise((resolve) => target.close(resolve));
  });

  // Each spelling that reaches 127.0.0.1 on this machine: a name, dotted, decimal, hex, octal,
  // and the IPv6 forms the kernel routes to IPv4 loopback.
  it.each([
    "localhost",
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f.0.0.1",
    "0177.0.0.1",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:ffff:7f00:1]",
    "[::1]",
  ])("refuses to connect to %s and the page is never read", async (spelling) => {
    const before = hits;
    const outcome = await guarded.fetch({
      url: `http://${spelling}:${port}/secret`,
      method: "GET",
      headers: {},
      body: undefined,
      timeoutMs: 5_000,
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? "" : outcome.message).toMatch(/refusing to connect|EPRIVATEADDRESS/);
    expect(hits).toBe(before);
  });

  it("redirects are never followed, so a public page cannot bounce a call to a private one", async () => {
    const bouncer = createServer((_req, res) => {
      res.statusCode = 302;
      res.setHeader("location", `http://127.0.0.1:${port}/secret`);
      res.end();
    });
    await new Promise<void>((resolve) => bouncer.listen(0, "127.0.0.1", resolve));
    const open = new ProviderClient({});
    try {
      const before = hits;
      const outcome = await open.fetch({
        url: `http://127.0.0.1:${(bouncer.address() as AddressInfo).port}/`,
        method: "GET",
        headers: {},
        body: undefined,
        timeoutMs: 5_000,
      });
      expect(outcome.ok && outcome.data.status_code).toBe(302);
      expect(hits).toBe(before);
    } finally {
      await open.close();
      await new Promise((resolve) => bouncer.close(resolve));
    }
  });

  it("a client without the guard does reach the page (the test can tell)", async () => {
    const open = new ProviderClient({});
    try {
      const outcome = await open.fetch({
        url: `http://[::ffff:127.0.0.1]:${port}/`,
        method: "GET",
        headers: {},
        body: undefined,
        timeoutMs: 5_000,
      });
      expect(outcome.ok && outcome.data.body).toBe("the loopback page");
    } finally {
      await open.close();
    }
  });
});
