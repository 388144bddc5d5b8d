"""Which model answers: OpenRouter when OPENROUTER_API_KEY is set, llm-sim offline otherwise."""

from __future__ import annotations

import logging

from inngest.experimental.ai import openai

from .config import Settings
from .sim import SimProcess

log = logging.getLogger("python-chat")


class Model:
    """Resolved when the app starts (offline, that starts llm-sim); read by the worker."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._sim: SimProcess | None = None
        self._sim_url = settings.llm_sim_url

    def start(self) -> None:
        if not self._settings.simulated:
            log.info("Model: %s on OpenRouter", self._settings.openrouter_model)
            return
        if self._sim_url is None:
            self._sim = SimProcess()
            self._sim_url = self._sim.url
        log.warning(
            "No OPENROUTER_API_KEY is set: answers are SIMULATED by llm-sim at %s (offline).",
            self._sim_url,
        )

    def stop(self) -> None:
        if self._sim is not None:
            self._sim.stop()

    def describe(self) -> dict:
        if self._settings.simulated:
            return {
                "simulated": True,
                "model": "sim-echo",
                "notice": "No OPENROUTER_API_KEY is set: answers are simulated by llm-sim.",
            }
        return {"simulated": False, "model": self._settings.openrouter_model, "notice": None}

    def adapter(self) -> openai.Adapter:
        settings = self._settings
        if settings.openrouter_api_key is not None:
            headers = {}
            if settings.openrouter_site_url:
                headers["HTTP-Referer"] = settings.openrouter_site_url
            if settings.openrouter_app_name:
                headers["X-Title"] = settings.openrouter_app_name
            return openai.Adapter(
                auth_key=settings.openrouter_api_key,
                base_url=settings.openrouter_base_url,
                headers=headers,
                model=settings.openrouter_model,
            )
        if self._sim_url is None:
            raise RuntimeError("the model is not started")
        return openai.Adapter(
            auth_key="sk-sim", base_url=f"{self._sim_url.rstrip('/')}/v1", model="sim-echo"
        )
