"""`shopassist serve` as a subprocess on a free port of 127.0.0.1: what the API and
browser tests and the load benchmark run against."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SCRIPT = Path(sys.executable).with_name("shopassist")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_demo(home: Path) -> None:
    env = dict(os.environ, SHOPASSIST_HOME=str(home))
    proc = subprocess.run(
        [str(SCRIPT), "demo"], capture_output=True, text=True, env=env, timeout=900
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


class Server:
    """`shopassist serve` on a free port of 127.0.0.1, with a TOML config of its own."""

    def __init__(
        self, home: Path, config: str = "", dataset: str = "demo", args: tuple[str, ...] = ()
    ) -> None:
        self.home, self.dataset, self.args = home, dataset, tuple(args)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = home / f"server-{self.port}.toml"
        self.config.write_text(config, encoding="utf-8")
        self.log = home / f"server-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    def start(self, timeout: float = 300) -> Server:
        env = dict(os.environ, SHOPASSIST_HOME=str(self.home))
        env.pop("SHOPASSIST_CONFIG", None)
        self._log_file = self.log.open("ab")
        self.proc = subprocess.Popen(
            [str(SCRIPT), "--config", str(self.config), "serve", "--dataset", self.dataset,
             "--port", str(self.port), *self.args],
            stdout=self._log_file, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"server not up in {timeout} s: {self.log.read_text()[-3000:]}")

    def __enter__(self) -> Server:
        return self if self.proc is not None else self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if getattr(self, "_log_file", None):
            self._log_file.close()
