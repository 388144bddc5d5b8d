import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { lookup as lookupAsync } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { buildConnector } from "undici";

/**
 * Where the AI gateway may connect. In `start` mode only allow-listed hosts (the public provider
 * APIs by default), and never a private, loopback, link-local, unique-local, multicast or
 * reserved address, in any spelling: the check runs on the address itself (parsed by
 * `ipaddr.js`, which reads dotted, decimal, octal and hex IPv4 and every IPv6 form) and on the
 * IPv4 address embedded in mapped, compatible, NAT64 and 6to4 IPv6 addresses. It runs before the
 * call for a clear error and again at connect time, on the literal or on what the name resolves
 * to then, so DNS rebinding cannot slip past.
 */

export const DEFAULT_AI_HOSTS: readonly string[] = [
  "api.openai.com",
  "api.anthropic.com",
  "generativelanguage.googleapis.com",
  "api.x.ai",
  "api.deepseek.com",
  "openrouter.ai",
  "*.openai.azure.com",
  "*.cognitiveservices.azure.com",
  "api.groq.com",
  "api.together.xyz",
  "api.mistral.ai",
  "api.fireworks.ai",
  "api.cohere.com",
  "bedrock-runtime.*.amazonaws.com",
];

/** `*.example.com` matches subdomains; `a.*.b` matches one label. Case-insensitive. */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return patterns.some((pattern) => {
    const regex = new RegExp(
      `^${pattern
        .toLowerCase()
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^.]+(?:\\.[^.]+)*")}$`,
    );
    return regex.test(name);
  });
}

/** `[::1]` → `::1`; a zone (`fe80::1%eth0`) is kept, `ipaddr.js` parses it. */
function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** True when `host` is an IP address in any spelling `ipaddr.js` (and so `inet_aton`) reads. */
export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(unbracket(host));
}

/** The IPv4 address an IPv6 address carries, for the forms that route to it. */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const bytes = address.toByteArray();
  const last4 = (): ipaddr.IPv4 => new ipaddr.IPv4(bytes.slice(12, 16));
  const range = address.range();
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (RFC 6145), 64:ff9b::a.b.c.d (NAT64, RFC 6052).
  if (range === "ipv4Mapped" || range === "rfc6145" || range === "rfc6052") return last4();
  // ::a.b.c.d (IPv4-compatible, deprecated but still routed by some stacks).
  if (bytes.slice(0, 12).every((byte) => byte === 0)) return last4();
  // 64:ff9b:1::/48, the local-use NAT64 prefix (RFC 8215).
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b)
    return last4();
  // 2002:AABB:CCDD::/16 (6to4) carries AA.BB.CC.DD.
  if (range === "6to4") return new ipaddr.IPv4(bytes.slice(2, 6));
  return undefined;
}

/**
 * Why connecting to this IP literal is refused (its `ipaddr.js` range), or undefined when it is a
 * public unicast address. Throws nothing: a text that is not an IP address is "not an address".
 */
export function addressRefusal(address: string): string | undefined {
  const text = unbracket(address);
  if (!ipaddr.isValid(text)) return "not an address";
  const parsed = ipaddr.parse(text);
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6;
    const v4 = embeddedIpv4(v6);
    if (v4 !== undefined) {
      const inner = v4.range();
      // `::` and `::1` are all zeros in their first 96 bits too; they are v6 addresses.
      if (v6.range() === "unspecified" || v6.range() === "loopback") return v6.range();
      return inner === "unicast" ? undefined : `${inner} (embedded ${v4.toString()})`;
    }
    // Teredo tunnels to an obfuscated IPv4 client; nothing a provider API uses.
    const range = v6.range();
    return range === "unicast" ? undefined : range;
  }
  const range = parsed.range();
  return range === "unicast" ? undefined : range;
}

/** Private, loopback, link-local, unique-local, mapped-private, reserved: any non-public IP. */
export function isPrivateAddress(address: string): boolean {
  return addressRefusal(address) !== undefined;
}

function refusedError(host: string, address: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `refusing to connect to ${host}${host === address ? "" : ` (${address})`}: private, loopback and other non-public addresses are not allowed in start mode`,
  );
  error.code = "EPRIVATEADDRESS";
  return error;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for sockets that refuses names resolving to any non-public address. */
export function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked) return callback(refusedError(hostname, blocked.address), []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(new Error(`no address for ${hostname}`), []);
    callback(null, first.address, first.family);
  });
}

/**
 * An undici connector that refuses non-public addresses at connect time, for every connection
 * the agent opens (every hop). Node skips `lookup` for IP literals, so literals are checked here
 * before connecting; names go through `publicOnlyLookup`.
 */
export function publicOnlyConnector(): buildConnector.connector {
  const connect = buildConnector({ lookup: publicOnlyLookup });
  return (options, callback) => {
    const host = options.hostname;
    if (isIpLiteral(host) && isPrivateAddress(host)) {
      callback(refusedError(host, host), null);
      return;
    }
    connect(options, callback);
  };
}

/** Every address a host name resolves to (an IP literal resolves to itself); [] if unknown. */
export async function resolveAll(host: string): Promise<string[]> {
  const literal = unbracket(host);
  if (isIpLiteral(literal)) return [literal];
  try {
    return (await lookupAsync(literal, { all: true })).map((entry) => entry.address);
  } catch {
    return [];
  }
}
