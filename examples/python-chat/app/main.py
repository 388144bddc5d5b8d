"""The chat backend: POST a question, poll for the answer; a durable worker calls the model.

Run it next to Ingot (see README.md):

    INNGEST_DEV=1 uvicorn app.main:app --port 8000
    npx ingot dev -u http://127.0.0.1:8000/api/inngest --no-discovery
"""

from __future__ import annotations

import contextlib
import logging
import uuid

import fastapi
import inngest
import inngest.fast_api
from fastapi.responses import JSONResponse

from . import config
from .model import Model
from .store import ResultStore
from .validation import parse_chat_request
from .worker import create_worker

logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")

settings = config.load()
store = ResultStore(settings.db_path)
model = Model(settings)
client = inngest.Inngest(app_id="python-chat", logger=logging.getLogger("python-chat"))
chat_worker = create_worker(client, store, settings, model)


@contextlib.asynccontextmanager
async def lifespan(_app: fastapi.FastAPI):
    model.start()
    try:
        yield
    finally:
        model.stop()


app = fastapi.FastAPI(title="Ingot Chat (Python)", lifespan=lifespan)


@app.post("/api/v1/chat", status_code=202)
async def create_chat(request: fastapi.Request) -> JSONResponse:
    try:
        payload = await request.json()
    except ValueError:
        return JSONResponse({"error": "expected a JSON body"}, status_code=400)
    parsed = parse_chat_request(payload)
    if isinstance(parsed, str):
        return JSONResponse({"error": parsed}, status_code=400)
    request_id = str(uuid.uuid4())
    store.create(request_id)
    try:
        await client.send(
            inngest.Event(name="app/chat.requested", data={"request_id": request_id, **parsed})
        )
    except Exception as error:  # noqa: BLE001 - any failure to queue is the same to the caller
        store.fail(request_id, f"could not queue the request: {error}")
        return JSONResponse({"error": f"could not queue the request: {error}"}, status_code=503)
    return JSONResponse({"request_id": request_id}, status_code=202)


@app.get("/api/v1/chat/result/{request_id}")
async def chat_result(request_id: str) -> JSONResponse:
    result = store.get(request_id)
    if result is None:
        return JSONResponse({"error": f"unknown request_id {request_id}"}, status_code=404)
    return JSONResponse(result)


@app.get("/api/v1/info")
async def info() -> dict:
    return model.describe()


inngest.fast_api.serve(app, client, [chat_worker])
