import { useCallback, useEffect, useState } from "react";
import type { Page } from "../api/client";
import { toError, useResource } from "./use-resource";

/**
 * A newest-first list: the first page re-read every second, older pages loaded on demand
 * with the server's cursor (those do not refresh: they are history). `key` identifies the
 * filters; changing it starts over.
 */
export function useLivePages<T>(input: {
  load(cursor: string | undefined): Promise<Page<T>>;
  idOf(item: T): string;
  key: string;
  intervalMs?: number;
}) {
  const { load, idOf, key } = input;
  const first = useResource(() => load(undefined), [key], { intervalMs: input.intervalMs ?? 1000 });
  const [older, setOlder] = useState<{ key: string; items: T[]; cursor: string | null }>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error>();
  useEffect(() => setMoreError(undefined), [key]);

  const extra = older?.key === key ? older : undefined;
  const cursor = extra ? extra.cursor : (first.data?.cursor ?? null);

  const loadMore = useCallback(async () => {
    if (cursor === null) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await load(cursor);
      setOlder((current) => ({
        key,
        items: [...(current?.key === key ? current.items : []), ...page.data],
        cursor: page.cursor,
      }));
    } catch (error) {
      setMoreError(toError(error));
    } finally {
      setLoadingMore(false);
    }
  }, [cursor, key, load]);

  const head = first.data?.data;
  let items: T[] | undefined;
  if (head) {
    const seen = new Set(head.map(idOf));
    items = [...head, ...(extra?.items ?? []).filter((item) => !seen.has(idOf(item)))];
  }
  return { first, items, hasMore: cursor !== null, loadMore, loadingMore, moreError };
}
