"""`tollway serve` as a child process, exactly as a user starts it, for the tests that need one.

    with ServedGateway(env={"OPENAI_BASE_URL": fake.base_url}) as served:
        OpenAI(base_url=served.url + "/v1", api_key=served.create_key(credits=1)["key"])
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.server import free_port

ROOT = Path(__file__).resolve().parents[1]
PROVIDER_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "GROQ_API_KEY", "GROQ_BASE_URL", "DEEPSEEK_API_KEY",
                "DEEPSEEK_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "GEMINI_API_KEY", "GEMINI_BASE_URL",
                "CF_ACCOUNT_ID", "CF_API_TOKEN", "CF_BASE_URL", "ELEVENLABS_API_KEY", "ELEVENLABS_BASE_URL",
                "COHERE_API_KEY", "COHERE_BASE_URL", "JINA_API_KEY", "JINA_BASE_URL", "VOYAGE_API_KEY",
                "VOYAGE_BASE_URL", "REPLICATE_API_TOKEN", "REPLICATE_BASE_URL", "AWS_ENDPOINT_URL",
                "TOLLWAY_ADMIN_KEY", "TOLLWAY_WEBHOOK_SECRET")


class ServedGateway:
    def __init__(self, env: dict[str, str] | None = None, data_dir: Path | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        clean = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV}
        self.env = clean | (env or {})
        self.output: list[str] = []
        self.admin_key = ""
        self.emulator_url = ""  # the embedded AWS emulator, from the banner
        self.ready_after_s = 0.0
        self.process: subprocess.Popen[str] | None = None

    def start(self, timeout_s: float = 60.0) -> ServedGateway:
        args = [sys.executable, "-m", "tollway.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        args += ["--data-dir", str(self.data_dir)] if self.data_dir else ["--no-persist"]
        started = time.monotonic()
        self.process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = started + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("tollway serve exited:\n" + "".join(self.output))
            try:
                if (httpx.get(self.url + "/health", timeout=5.0).status_code == 200 and self.admin_key
                        and self.emulator_url):
                    self.ready_after_s = time.monotonic() - started
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("tollway serve was not ready in time:\n" + "".join(self.output))

    def _read(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            self.output.append(line)
            found = re.search(r"admin key:\s+(\S+)", line)
            if found:
                self.admin_key = found.group(1)
            emulator = re.search(r"emulator:\s+(\S+)", line)
            if emulator:
                self.emulator_url = emulator.group(1)

    def children(self) -> list[int]:
        """Pids of the processes `tollway serve` started (the emulator)."""
        assert self.process
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def stop(self, sig: int = signal.SIGINT, timeout_s: float = 10.0) -> int | None:
        """Ctrl-C, as a user would; kill only if it does not stop in time."""
        if not self.process or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise

    def create_key(self, credits: float | str = 10, **fields: Any) -> dict[str, Any]:
        response = httpx.post(self.url + "/admin/keys", json={"name": "contract", "credits": credits, **fields},
                              headers={"authorization": f"Bearer {self.admin_key}"}, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def balance(self, key_id: str) -> Any:
        from decimal import Decimal

        response = httpx.get(f"{self.url}/admin/keys/{key_id}", headers={"authorization": f"Bearer {self.admin_key}"})
        return Decimal(str(response.json()["credits"]))

    def __enter__(self) -> ServedGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def process_gone(pid: int, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        status = Path(f"/proc/{pid}/stat")
        try:
            if status.read_text().split(")")[-1].split()[0] == "Z":  # exited, waiting for its reaper
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False
