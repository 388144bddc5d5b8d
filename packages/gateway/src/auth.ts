/**
 * Where the API key goes, by op `format` — exactly as Inngest's gateway does (ai-gateway.md
 * §1.4): `anthropic` → `x-api-key`; `gemini` → `?key=`; `bedrock` → raw `Authorization`;
 * everything else → `Authorization: Bearer`. The op's own headers are added afterwards.
 */
export function placeAuth(input: {
  format: string;
  url: string;
  key: string | undefined;
  headers: Record<string, string>;
}): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  let url = input.url;
  const key = input.key;
  if (key !== undefined && key !== "") {
    switch (input.format) {
      case "anthropic":
        headers["x-api-key"] = key;
        break;
      case "gemini": {
        const parsed = new URL(url);
        if (!parsed.searchParams.has("key")) parsed.searchParams.set("key", key);
        url = parsed.toString();
        break;
      }
      case "bedrock":
        headers.authorization = key;
        break;
      default:
        headers.authorization = `Bearer ${key}`;
    }
  }
  for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = value;
  return { url, headers };
}
