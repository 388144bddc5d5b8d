"""FastAPI app publishing with the official Python SDK's realtime helpers (python-realtime.test.ts).

A function publishes a run of messages from steps; two routes do what an app's own backend does
for a browser: mint a subscription token, and publish outside any function (async and sync
flavours of both). Environment: PY_APP_ID, PY_COUNT, and the SDK's own INNGEST_* variables.
"""

import os

import fastapi
import inngest
import inngest.fast_api
from inngest.experimental import realtime

from common import APP, ev

COUNT = int(os.environ.get("PY_COUNT", "100"))

client = inngest.Inngest(app_id=APP)


@client.create_function(fn_id="publisher", trigger=ev("publish"), retries=0)
async def publisher(ctx: inngest.Context) -> str:
    channel = f"py:{ctx.event.data['id']}"

    # Publishes happen in steps: code outside a step runs again on every request of the run.
    async def started() -> None:
        await realtime.publish(client, channel, "status", {"phase": "started"})

    async def progress() -> None:
        for i in range(COUNT):
            await realtime.publish(client, channel, "progress", {"i": i})

    async def finished() -> None:
        await realtime.publish(client, channel, "status", {"phase": "finished"})

    await ctx.step.run("started", started)
    await ctx.step.run("progress", progress)
    await ctx.step.run("finished", finished)
    return "done"


app = fastapi.FastAPI()
inngest.fast_api.serve(app, client, [publisher])


def refused(error: Exception) -> fastapi.responses.JSONResponse:
    return fastapi.responses.JSONResponse({"error": f"{type(error).__name__}: {error}"}, 502)


@app.get("/token")
async def token(channel: str, topics: str):
    try:
        return await realtime.get_subscription_token(client, channel, topics.split(","))
    except Exception as error:  # the test reads why the SDK call failed
        return refused(error)


@app.get("/token-sync")
def token_sync(channel: str, topics: str):
    try:
        return realtime.get_subscription_token_sync(client, channel, topics.split(","))
    except Exception as error:
        return refused(error)


@app.post("/publish")
async def publish(channel: str, topic: str, body: dict = fastapi.Body()):
    try:
        await realtime.publish(client, channel, topic, body)
        return {"ok": True}
    except Exception as error:
        return refused(error)


@app.post("/publish-sync")
def publish_sync(channel: str, topic: str, body: dict = fastapi.Body()):
    try:
        realtime.publish_sync(client, channel, topic, body)
        return {"ok": True}
    except Exception as error:
        return refused(error)
