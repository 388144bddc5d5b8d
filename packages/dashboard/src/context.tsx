import { createContext, type ReactNode, useContext, useMemo } from "react";
import type { IngotClient } from "./api/client";
import type { IngotFunction, Session } from "./api/types";
import { useResource } from "./hooks/use-resource";

interface Ingot {
  client: IngotClient;
  session: Session;
  signOut(): void;
}

const IngotContext = createContext<Ingot | undefined>(undefined);

export function IngotProvider({ value, children }: { value: Ingot; children: ReactNode }) {
  return <IngotContext.Provider value={value}>{children}</IngotContext.Provider>;
}

export function useIngot(): Ingot {
  const value = useContext(IngotContext);
  if (!value) throw new Error("useIngot() outside <IngotProvider>");
  return value;
}

interface Functions {
  list: IngotFunction[] | undefined;
  error: Error | undefined;
  byId(id: string): IngotFunction | undefined;
  /** The function's display name, or its id while the list loads or for a removed function. */
  nameOf(id: string): string;
  reload(): void;
}

const FunctionsContext = createContext<Functions | undefined>(undefined);

/** The function list, shared by every page that shows function names (refreshed every 5 s). */
export function FunctionsProvider({ children }: { children: ReactNode }) {
  const { client } = useIngot();
  const resource = useResource(() => client.functions(), [], { intervalMs: 5000 });
  const value = useMemo<Functions>(() => {
    const map = new Map((resource.data ?? []).map((fn) => [fn.id, fn]));
    return {
      list: resource.data,
      error: resource.error,
      byId: (id) => map.get(id),
      nameOf: (id) => map.get(id)?.name ?? id,
      reload: resource.reload,
    };
  }, [resource.data, resource.error, resource.reload]);
  return <FunctionsContext.Provider value={value}>{children}</FunctionsContext.Provider>;
}

export function useFunctions(): Functions {
  const value = useContext(FunctionsContext);
  if (!value) throw new Error("useFunctions() outside <FunctionsProvider>");
  return value;
}
