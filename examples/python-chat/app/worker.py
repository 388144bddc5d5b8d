"""The durable worker: one run per chat request. Ingot's gateway makes the model call."""

from __future__ import annotations

import re

import inngest
from .config import Settings
from .model import Model
from .store import ResultStore

SYSTEM_PROMPT = "You are a helpful assistant. Answer briefly and precisely."


def clean_text(text: str) -> str:
    """What `clean: true` asks for: no markdown decoration, no runs of whitespace."""
    text = re.sub(r"```[a-zA-Z0-9]*\n?", "", text)
    text = re.sub(r"(\*\*|__|`|^#+\s*)", "", text, flags=re.MULTILINE)
    return re.sub(r"\s+", " ", text).strip()


def create_worker(
    client: inngest.Inngest, store: ResultStore, settings: Settings, model: Model
) -> inngest.Function:
    async def mark_failed(ctx: inngest.Context) -> None:
        original = ctx.event.data["event"]["data"]
        store.fail(original["request_id"], f"The worker failed: {ctx.event.data['error']['message']}")

    @client.create_function(
        fn_id="chat-worker",
        name="Chat worker",
        trigger=inngest.TriggerEvent(event="app/chat.requested"),
        retries=settings.retries,
        on_failure=mark_failed,
    )
    async def chat_worker(ctx: inngest.Context) -> dict:
        request = ctx.event.data
        body: dict = {
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": request["query"]},
            ]
        }
        for option in ("temperature", "max_tokens"):
            if request.get(option) is not None:
                body[option] = request[option]
        try:
            response = await ctx.step.ai.infer("call-model", adapter=model.adapter(), body=body)
        except inngest.StepError as error:
            message = f"The model call failed: {error.message}"
            await ctx.step.run("save-error", store.fail, request["request_id"], message)
            return {"status": "error"}
        content = response["choices"][0]["message"]["content"] or ""
        if request.get("clean"):
            content = clean_text(content)
        await ctx.step.run("save-result", store.finish, request["request_id"], content)
        return {"status": "done", "characters": len(content)}

    return chat_worker
