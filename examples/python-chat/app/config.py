"""Settings, read once from the environment."""

from __future__ import annotations

import dataclasses
import os

OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"


@dataclasses.dataclass(frozen=True)
class Settings:
    # OpenRouter (through the SDK's OpenAI adapter) when a key is set, llm-sim otherwise.
    openrouter_api_key: str | None
    openrouter_base_url: str
    openrouter_model: str
    openrouter_site_url: str | None
    openrouter_app_name: str | None
    # An llm-sim already running; without it (and without a key) the app starts one.
    llm_sim_url: str | None
    db_path: str
    retries: int

    @property
    def simulated(self) -> bool:
        return self.openrouter_api_key is None


def _optional(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


def load() -> Settings:
    return Settings(
        openrouter_api_key=_optional("OPENROUTER_API_KEY"),
        openrouter_base_url=_optional("OPENROUTER_BASE_URL") or OPENROUTER_BASE_URL,
        openrouter_model=_optional("OPENROUTER_MODEL") or "openai/gpt-4o-mini",
        openrouter_site_url=_optional("OPENROUTER_SITE_URL"),
        openrouter_app_name=_optional("OPENROUTER_APP_NAME"),
        llm_sim_url=_optional("LLM_SIM_URL"),
        db_path=_optional("CHAT_DB") or "chat.db",
        retries=_int("CHAT_RETRIES", 2),
    )
