"""Flask app with sync functions, served by the official Inngest Python SDK.

The conformance suites (python-*.test.ts) drive it black-box through Ingot. Every function
reports what it saw in its output, with wall-clock times where flow control is checked.
Environment: PY_APP_ID, LLM_SIM_URL, PY_CRON (adds a cron function), and the SDK's own
INNGEST_* variables.
"""

import datetime
import os
import time

import flask
import inngest
import inngest.flask

from common import APP, ai_adapter, ai_body, big_text, ev, flow_options

client = inngest.Inngest(app_id=APP)


@client.create_function(fn_id="child", trigger=ev("child"))
def child(ctx: inngest.ContextSync) -> dict:
    return {"child_got": ctx.event.data.get("x")}


@client.create_function(fn_id="steps", trigger=ev("steps"), retries=0)
def steps(ctx: inngest.ContextSync) -> dict:
    def first() -> dict:
        return {"n": ctx.event.data["n"]}

    def add(value: int, more: int) -> int:
        return value + more

    a = ctx.step.run("first", first)
    b = ctx.step.run("add", add, a["n"], 10)
    ctx.step.sleep("nap", datetime.timedelta(seconds=1))
    until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)
    ctx.step.sleep_until("nap-until", until)
    sent = ctx.step.send_event(
        "send", inngest.Event(name=f"{APP}/sent", data={"from": ctx.run_id})
    )
    invoked = ctx.step.invoke("call-child", function=child, data={"x": b})

    def part(name: str) -> str:
        return f"part-{name}"

    parallel = ctx.group.parallel(
        (
            lambda: ctx.step.run("part-a", part, "a"),
            lambda: ctx.step.run("part-b", part, "b"),
            lambda: ctx.step.run("part-c", part, "c"),
        )
    )
    return {"a": a, "b": b, "sent": len(sent), "invoked": invoked, "parallel": list(parallel)}


@client.create_function(fn_id="waits", trigger=ev("waits"), retries=0)
def waits(ctx: inngest.ContextSync) -> dict:
    matched = ctx.step.wait_for_event(
        "approval",
        event=f"{APP}/approved",
        if_exp="async.data.id == event.data.id",
        timeout=datetime.timedelta(seconds=30),
    )
    missed = ctx.step.wait_for_event(
        "never", event=f"{APP}/never", timeout=datetime.timedelta(seconds=1)
    )
    return {
        "matched": None if matched is None else {"name": matched.name, "data": dict(matched.data)},
        "missed": missed,
    }


@client.create_function(fn_id="retries", trigger=ev("retries"), retries=3)
def retries(ctx: inngest.ContextSync) -> dict:
    def flaky() -> int:
        if ctx.attempt < 2:
            raise ValueError(f"step failure on attempt {ctx.attempt}")
        return ctx.attempt

    value = ctx.step.run("flaky", flaky)
    if ctx.event.data.get("fail_function") and ctx.attempt < 1:
        raise RuntimeError("function failure")
    return {"step_attempt": value, "attempt": ctx.attempt}


@client.create_function(fn_id="retry-after", trigger=ev("retry-after"), retries=2)
def retry_after(ctx: inngest.ContextSync) -> dict:
    if ctx.attempt == 0:
        raise inngest.RetryAfterError("come back later", datetime.timedelta(seconds=2))
    return {"attempt": ctx.attempt, "at": time.time()}


@client.create_function(fn_id="non-retriable", trigger=ev("non-retriable"), retries=3)
def non_retriable(ctx: inngest.ContextSync) -> None:
    raise inngest.NonRetriableError("no point in retrying")


def report_failure(ctx: inngest.ContextSync) -> dict:
    return {
        "error": ctx.event.data["error"]["message"],
        "original": dict(ctx.event.data["event"]["data"]),
    }


@client.create_function(
    fn_id="failing", trigger=ev("failing"), retries=1, on_failure=report_failure
)
def failing(ctx: inngest.ContextSync) -> None:
    raise ValueError(f"failed on attempt {ctx.attempt}")


@client.create_function(fn_id="step-error", trigger=ev("step-error"), retries=1)
def step_error(ctx: inngest.ContextSync) -> dict:
    def broken() -> None:
        raise ValueError(f"step broke on attempt {ctx.attempt}")

    try:
        ctx.step.run("broken", broken)
    except inngest.StepError as error:
        return {"caught": error.message}
    return {"caught": None}


@client.create_function(fn_id="step-non-retriable", trigger=ev("step-non-retriable"), retries=3)
def step_non_retriable(ctx: inngest.ContextSync) -> None:
    def give_up() -> None:
        raise inngest.NonRetriableError("step gave up")

    ctx.step.run("give-up", give_up)


def timed_work(ctx: inngest.ContextSync, hold: float) -> dict:
    def work() -> dict:
        start = time.time()
        _sleep(hold)
        return {"start": start, "end": time.time(), "n": ctx.event.data.get("n")}

    return ctx.step.run("work", work)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


@client.create_function(fn_id="cancellable", trigger=ev("cancellable"), **flow_options("cancel"))
def cancellable(ctx: inngest.ContextSync) -> str:
    ctx.step.sleep("hold", datetime.timedelta(seconds=30))
    return "not cancelled"


@client.create_function(fn_id="limited", trigger=ev("limited"), **flow_options("concurrency"))
def limited(ctx: inngest.ContextSync) -> dict:
    return timed_work(ctx, 0.3)


@client.create_function(fn_id="throttled", trigger=ev("throttled"), **flow_options("throttle"))
def throttled(ctx: inngest.ContextSync) -> dict:
    return timed_work(ctx, 0)


@client.create_function(fn_id="rate-limited", trigger=ev("rate-limited"), **flow_options("rate_limit"))
def rate_limited(ctx: inngest.ContextSync) -> int:
    return ctx.event.data["n"]


@client.create_function(fn_id="debounced", trigger=ev("debounced"), **flow_options("debounce"))
def debounced(ctx: inngest.ContextSync) -> int:
    return ctx.event.data["version"]


@client.create_function(fn_id="batched", trigger=ev("batched"), **flow_options("batch_events"))
def batched(ctx: inngest.ContextSync) -> list:
    return [event.data["n"] for event in ctx.events]


@client.create_function(fn_id="prioritized", trigger=ev("prioritized"), **flow_options("priority"))
def prioritized(ctx: inngest.ContextSync) -> dict:
    return timed_work(ctx, 0.6 if ctx.event.data.get("name") == "blocker" else 0.05)


@client.create_function(fn_id="idempotent", trigger=ev("idempotent"), **flow_options("idempotency"))
def idempotent(ctx: inngest.ContextSync) -> int:
    return ctx.event.data["copy"]


@client.create_function(fn_id="large", trigger=ev("large"), retries=0)
def large(ctx: inngest.ContextSync) -> dict:
    def make(n: int) -> str:
        return big_text(n, ctx.event.data["kb"])

    first = ctx.step.run("big-1", make, 1)
    second = ctx.step.run("big-2", make, 2)
    return {
        "event_kb": len(ctx.event.data.get("payload", "")) // 1024,
        "lengths": [len(first), len(second)],
        "intact": first == big_text(1, ctx.event.data["kb"]),
    }


@client.create_function(fn_id="infer", trigger=ev("infer"), retries=2)
def infer(ctx: inngest.ContextSync) -> dict:
    provider = ctx.event.data["provider"]
    try:
        result = ctx.step.ai.infer(
            "ask",
            adapter=ai_adapter(provider),
            body=ai_body(provider, ctx.event.data["prompt"]),
        )
        return {"ok": True, "result": result}
    except inngest.StepError as error:
        return {"ok": False, "name": error.name, "message": error.message}


functions = [
    child,
    steps,
    waits,
    retries,
    retry_after,
    non_retriable,
    failing,
    step_error,
    step_non_retriable,
    cancellable,
    limited,
    throttled,
    rate_limited,
    debounced,
    batched,
    prioritized,
    idempotent,
    large,
    infer,
]

if os.environ.get("PY_CRON"):

    @client.create_function(fn_id="ticker", trigger=inngest.TriggerCron(cron="* * * * * *"))
    def ticker(ctx: inngest.ContextSync) -> str:
        return str(ctx.event.data.get("scheduledAt"))

    functions.append(ticker)

app = flask.Flask(__name__)
inngest.flask.serve(app, client, functions)
