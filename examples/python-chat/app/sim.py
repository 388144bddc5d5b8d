"""The offline model: llm-sim (Ingot's provider simulator), used when no OPENROUTER_API_KEY is set."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import threading

# In a checkout of the Ingot repository: examples/python-chat/app/sim.py → packages/llm-sim.
_BIN = pathlib.Path(__file__).resolve().parents[3] / "packages" / "llm-sim" / "dist" / "bin.js"


class SimProcess:
    """llm-sim in a child process on a free port; stopped with the app."""

    def __init__(self) -> None:
        command = self._command()
        self._process = subprocess.Popen(
            [*command, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.url = self._wait_for_url()
        # Keep draining its output so it never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    @staticmethod
    def _command() -> list[str]:
        node = shutil.which("node")
        if node and _BIN.exists():
            return [node, str(_BIN)]
        npx = shutil.which("npx")
        if npx:
            return [npx, "--no-install", "ingot-llm-sim"]
        raise SystemExit(
            "No OPENROUTER_API_KEY is set and llm-sim cannot be started (no Node.js found). "
            "Set OPENROUTER_API_KEY, or LLM_SIM_URL to a running simulator."
        )

    def _wait_for_url(self) -> str:
        assert self._process.stdout is not None
        seen = []
        for line in self._process.stdout:
            seen.append(line)
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                return match.group(1)
        raise SystemExit("llm-sim did not start:\n" + "".join(seen))

    def _drain(self) -> None:
        assert self._process.stdout is not None
        for _ in self._process.stdout:
            pass

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
