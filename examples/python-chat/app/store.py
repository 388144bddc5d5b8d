"""Chat results in SQLite, so they survive a restart of the app (the seed kept them in memory)."""

from __future__ import annotations

import sqlite3
import threading
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
  request_id TEXT PRIMARY KEY,
  status     TEXT NOT NULL CHECK (status IN ('pending', 'done', 'error')),
  content    TEXT,
  error      TEXT,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL
)
"""


class ResultStore:
    """One connection shared by the request handlers and the worker, behind a lock."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)
        self._lock = threading.Lock()

    def create(self, request_id: str) -> None:
        now = time.time()
        with self._lock:
            self._db.execute(
                "INSERT INTO results (request_id, status, created_at, updated_at) VALUES (?, 'pending', ?, ?)",
                (request_id, now, now),
            )

    def finish(self, request_id: str, content: str) -> None:
        self._set(request_id, "done", content=content)

    def fail(self, request_id: str, error: str) -> None:
        self._set(request_id, "error", error=error)

    def get(self, request_id: str) -> dict | None:
        with self._lock:
            row = self._db.execute(
                "SELECT status, content, error FROM results WHERE request_id = ?", (request_id,)
            ).fetchone()
        if row is None:
            return None
        status, content, error = row
        if status == "done":
            return {"status": "done", "content": content}
        if status == "error":
            return {"status": "error", "error": error}
        return {"status": "pending"}

    def _set(self, request_id: str, status: str, *, content: str | None = None, error: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE results SET status = ?, content = ?, error = ?, updated_at = ? WHERE request_id = ?",
                (status, content, error, time.time(), request_id),
            )

    def close(self) -> None:
        self._db.close()
