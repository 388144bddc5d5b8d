/** Credential extraction shared by the dialects. */

/** The token of `Authorization: Bearer <token>`; `undefined` when absent or empty. */
export function bearerToken(headers: Record<string, string>): string | undefined {
  const value = headers["authorization"];
  if (value === undefined) return undefined;
  const m = /^Bearer\s+(.*)$/iu.exec(value.trim());
  const token = m?.[1]?.trim();
  return token ? token : undefined;
}

export function headerKey(headers: Record<string, string>, name: string): string | undefined {
  const value = headers[name]?.trim();
  return value ? value : undefined;
}

/** The default key policy: any non-empty key except the two conventional bad ones. */
export function defaultKeyCheck(key: string): boolean {
  return key.length > 0 && key !== "bad-key" && key !== "invalid";
}

/** Masks a key the way OpenAI's "Incorrect API key provided" message does. */
export function maskKey(key: string): string {
  if (key.length <= 8) return "*".repeat(key.length);
  return `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}`;
}
