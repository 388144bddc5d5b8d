/** Where dev mode looks for apps by itself, as `inngest dev` does (unless --no-discovery). */
export const DISCOVERY_CANDIDATES: readonly string[] = [3000, 3001, 3030, 5173, 8000, 8080].map(
  (port) => `http://127.0.0.1:${port}/api/inngest`,
);

/** Drops `deployId` and `probe` from app URLs, as Go's NormalizeAppURL does (spec §2.1). */
export function normalizeAppUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.searchParams.delete("deployId");
    parsed.searchParams.delete("probe");
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * The URL a sync `PUT` goes to: the app's URL with `?deployId=<syncId>`. Every official SDK copies
 * `deployId` onto its `POST /fn/register` (spec §2.1), which ties that registration to this sync.
 */
export function withSyncId(url: string, syncId: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("deployId", syncId);
  return parsed.toString();
}
