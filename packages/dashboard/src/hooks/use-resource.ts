import { useCallback, useEffect, useRef, useState } from "react";

export interface Resource<T> {
  /** The last value loaded for the current inputs; kept while a refresh is under way or fails. */
  data: T | undefined;
  /** The last failure; cleared by the next success. */
  error: Error | undefined;
  /** True until the first answer (value or failure) for the current inputs. */
  loading: boolean;
  reload(): void;
}

interface State<T> {
  key: string;
  data?: T;
  error?: Error;
}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Loads `load()` whenever `inputs` change, and again every `intervalMs` while the tab is
 * visible (polling stops in a hidden tab and resumes, at once, when it is shown again).
 * Requests never overlap: the next one is scheduled only after the previous one answered.
 */
export function useResource<T>(
  load: () => Promise<T>,
  inputs: readonly unknown[],
  options: { intervalMs?: number } = {},
): Resource<T> {
  const key = JSON.stringify(inputs);
  const [state, setState] = useState<State<T>>({ key: "" });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });
  const { intervalMs } = options;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let busy = false;
    const schedule = () => {
      clearTimeout(timer);
      if (!stopped && intervalMs !== undefined && !document.hidden)
        timer = setTimeout(() => void fetchOnce(), intervalMs);
    };
    const fetchOnce = async () => {
      if (busy) return;
      busy = true;
      try {
        const data = await loadRef.current();
        if (!stopped) setState({ key, data });
      } catch (error) {
        if (!stopped)
          setState((previous) => ({
            key,
            ...(previous.key === key && previous.data !== undefined ? { data: previous.data } : {}),
            error: toError(error),
          }));
      } finally {
        busy = false;
        schedule();
      }
    };
    const onVisibility = () => {
      if (!document.hidden) void fetchOnce();
    };
    void fetchOnce();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [key, generation, intervalMs]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current,
    reload,
  };
}
