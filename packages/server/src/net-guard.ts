import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { lookup as lookupAsync } from "node:dns/promises";
import { isIP } from "node:net";

/**
 * Where the AI gateway may connect. In `start` mode only allow-listed hosts (the public provider
 * APIs by default), and never private, loopback or link-local addresses — checked on the address
 * the name resolves to at connect time, so DNS rebinding cannot slip past.
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

/** Private, loopback, link-local, CGNAT, multicast and unspecified addresses (v4 and v6). */
export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) {
    const [a = 0, b = 0] = address.split(".").map(Number);
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      a >= 224
    );
  }
  if (version === 6) {
    const lower = address.toLowerCase();
    if (lower === "::1" || lower === "::") return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (mapped?.[1]) return isPrivateAddress(mapped[1]);
    return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(lower);
  }
  return true;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for sockets that refuses to connect to private addresses. */
export function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked) {
      const refused: NodeJS.ErrnoException = new Error(
        `refusing to connect to ${hostname} (${blocked.address}): private and loopback addresses are not allowed in start mode`,
      );
      refused.code = "EPRIVATEADDRESS";
      return callback(refused, []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(new Error(`no address for ${hostname}`), []);
    callback(null, first.address, first.family);
  });
}

/** Every address a host name resolves to (an IP literal resolves to itself); [] if unknown. */
export async function resolveAll(host: string): Promise<string[]> {
  if (isIP(host)) return [host];
  try {
    return (await lookupAsync(host, { all: true })).map((entry) => entry.address);
  } catch {
    return [];
  }
}
