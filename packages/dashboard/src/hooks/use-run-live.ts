import { useEffect, useRef, useState } from "react";
import { type StreamMessage, subscribeToRun } from "../api/run-stream";

/** Tokens of one model call as they stream in, before the call is recorded. */
export interface LiveCall {
  stepId: string;
  attempt: number;
  provider: string | null;
  model: string | null;
  text: string;
  state: "streaming" | "done" | "failed";
  error: string | null;
}

export type LiveState = "off" | "connecting" | "live" | "reconnecting";

/**
 * Follows `GET /v1/runs/:id/stream` while `active`: collects streamed tokens per model call
 * and calls `onChange` (debounced) when a step is memoized or the run ends, so the page
 * refetches steps, history and AI calls.
 */
export function useRunLive(runId: string, active: boolean, onChange: () => void) {
  const [calls, setCalls] = useState<LiveCall[]>([]);
  const [state, setState] = useState<LiveState>("off");
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  });

  useEffect(() => {
    if (!active) {
      setState("off");
      return;
    }
    setState("connecting");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const changed = () => {
      clearTimeout(timer);
      timer = setTimeout(() => onChangeRef.current(), 80);
    };
    const apply = (message: StreamMessage) => {
      if (message.event === "step" || message.event === "run") return changed();
      setCalls((list) => reduceCalls(list, message));
      if (message.event === "ai.end") changed();
    };
    const close = subscribeToRun(runId, {
      onMessage: apply,
      onConnection: (open) => setState(open ? "live" : "reconnecting"),
    });
    return () => {
      clearTimeout(timer);
      close();
    };
  }, [runId, active]);

  return { calls, state };
}

const same = (call: LiveCall, stepId: string, attempt: number) =>
  call.stepId === stepId && call.attempt === attempt;

function reduceCalls(list: LiveCall[], message: StreamMessage): LiveCall[] {
  if (message.event === "ai.start") {
    const { step_id, attempt, provider, model } = message.data;
    const fresh: LiveCall = {
      stepId: step_id,
      attempt,
      provider: provider ?? null,
      model: model ?? null,
      text: "",
      state: "streaming",
      error: null,
    };
    return [...list.filter((call) => !same(call, step_id, attempt)), fresh];
  }
  if (message.event === "delta") {
    const { step_id, attempt, text } = message.data;
    const known = list.some((call) => same(call, step_id, attempt));
    if (!known)
      return [
        ...list,
        {
          stepId: step_id,
          attempt,
          provider: null,
          model: null,
          text,
          state: "streaming",
          error: null,
        },
      ];
    return list.map((call) =>
      same(call, step_id, attempt) ? { ...call, text: call.text + text } : call,
    );
  }
  if (message.event === "ai.end") {
    const { step_id, attempt, ok, error } = message.data;
    return list.map((call) =>
      same(call, step_id, attempt)
        ? { ...call, state: ok ? "done" : "failed", error: error ?? null }
        : call,
    );
  }
  return list;
}
