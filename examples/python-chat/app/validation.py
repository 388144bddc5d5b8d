"""The request body of POST /api/v1/chat, checked by hand so each error names its field."""

from __future__ import annotations

MAX_QUERY = 4_000
MAX_TOKENS = 8_192


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_chat_request(payload: object) -> dict | str:
    """`{query, temperature?, max_tokens?, clean?}` → the event data, or an error message."""
    if not isinstance(payload, dict):
        return "expected a JSON object like {\"query\": \"...\"}"
    query = payload.get("query")
    if not isinstance(query, str) or query.strip() == "":
        return "query: expected a non-empty string"
    if len(query) > MAX_QUERY:
        return f"query: at most {MAX_QUERY} characters"
    data: dict = {"query": query}

    temperature = payload.get("temperature")
    if temperature is not None:
        if not _is_number(temperature) or not 0 <= temperature <= 2:
            return "temperature: expected a number from 0 to 2"
        data["temperature"] = temperature

    max_tokens = payload.get("max_tokens")
    if max_tokens is not None:
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or not 1 <= max_tokens <= MAX_TOKENS:
            return f"max_tokens: expected a whole number from 1 to {MAX_TOKENS}"
        data["max_tokens"] = max_tokens

    clean = payload.get("clean")
    if clean is not None and not isinstance(clean, bool):
        return "clean: expected true or false"
    data["clean"] = bool(clean)
    return data
