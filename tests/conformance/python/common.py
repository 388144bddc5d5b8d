"""What the async (FastAPI) and sync (Flask) conformance apps share: ids, options, AI setup."""

import datetime
import os

import inngest
from inngest.experimental.ai import anthropic, deepseek, gemini, grok, openai

APP = os.environ.get("PY_APP_ID", "py-app")
SIM = os.environ.get("LLM_SIM_URL", "http://127.0.0.1:9").rstrip("/")

# Keys the app sends with step.ai.infer; the tests check that Ingot never stores or logs them.
KEYS = {
    "openai": "sk-py-openai-SECRET-1111",
    "anthropic": "sk-py-ant-SECRET-2222",
    "gemini": "py-gem-SECRET-3333",
    "grok": "py-xai-SECRET-4444",
    "deepseek": "py-ds-SECRET-5555",
}

MODELS = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-3-5-haiku-latest",
    "gemini": "gemini-2.0-flash",
    "grok": "grok-3-mini",
    "deepseek": "deepseek-chat",
}


def ev(name: str) -> inngest.TriggerEvent:
    """Events are namespaced by app id, so several apps can share one Ingot."""
    return inngest.TriggerEvent(event=f"{APP}/{name}")


def flow_options(kind: str) -> dict:
    """create_function options for one flow-control feature (durations: whole seconds)."""
    second = datetime.timedelta(seconds=1)
    options = {
        "cancel": {
            "cancel": [
                inngest.Cancel(event=f"{APP}/cancel", if_exp="event.data.id == async.data.id")
            ]
        },
        "concurrency": {"concurrency": [inngest.Concurrency(limit=2)]},
        "throttle": {"throttle": inngest.Throttle(limit=1, period=second)},
        "rate_limit": {
            "rate_limit": inngest.RateLimit(
                limit=1, period=datetime.timedelta(minutes=1), key="event.data.user"
            )
        },
        "debounce": {"debounce": inngest.Debounce(period=second, key="event.data.doc")},
        "batch_events": {"batch_events": inngest.Batch(max_size=3, timeout=second)},
        "priority": {
            "concurrency": [inngest.Concurrency(limit=1)],
            "priority": inngest.Priority(run="event.data.priority"),
        },
        "idempotency": {"idempotency": "event.data.key"},
    }
    return {"retries": 0, **options[kind]}


def ai_adapter(provider: str):
    """The SDK's own adapter for a provider, pointed at llm-sim."""
    model = MODELS[provider]
    key = KEYS[provider]
    if provider == "openai":
        return openai.Adapter(auth_key=key, base_url=f"{SIM}/v1", model=model)
    if provider == "anthropic":
        return anthropic.Adapter(auth_key=key, base_url=f"{SIM}/v1", model=model)
    if provider == "gemini":
        return gemini.Adapter(auth_key=key, base_url=f"{SIM}/v1beta", model=model)
    if provider == "grok":
        return grok.Adapter(auth_key=key, base_url=f"{SIM}/xai/v1", model=model)
    if provider == "deepseek":
        return deepseek.Adapter(auth_key=key, base_url=f"{SIM}/deepseek/v1", model=model)
    raise ValueError(f"unknown provider {provider}")


def ai_body(provider: str, prompt: str) -> dict:
    """A request body without "model": the adapter adds it."""
    if provider == "gemini":
        return {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}
    if provider == "anthropic":
        return {"max_tokens": 256, "messages": [{"role": "user", "content": prompt}]}
    return {"messages": [{"role": "user", "content": prompt}]}


def big_text(n: int, kb: int) -> str:
    """A deterministic string of `kb` KiB, different per `n`."""
    unit = f"{n}-0123456789abcdef-"
    return (unit * (kb * 1024 // len(unit) + 1))[: kb * 1024]
