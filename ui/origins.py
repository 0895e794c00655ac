"""Which page origins may call the API from a browser (CORS), and saying so when one may not.

A browser hides a refused cross-origin answer from the page: the widget only sees
"Failed to fetch". So the server logs each refused origin once, and answers
`GET /api/v1/cors-check` to any origin (`Access-Control-Allow-Origin: *`, no data in it)
with whether the asking page's origin is admitted and how to admit it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)
MAX_LOGGED = 1000  # distinct refused origins logged; a flood of made-up ones stops there


class Origins:
    def __init__(self, allowed: list[str]) -> None:
        self.allowed = list(allowed)
        self._logged: set[str] = set()
        self._lock = threading.Lock()

    def admits(self, origin: str, own: str) -> bool:
        return origin == own or origin in self.allowed or "*" in self.allowed

    @staticmethod
    def fix(origin: str) -> str:
        if origin == "null":
            return (
                "the page has no origin (opened from a file or a sandboxed frame): serve it "
                "over http(s) from an origin listed in server.cors_origins"
            )
        return (
            f"add {origin} to server.cors_origins in the server's settings, or start it with "
            f"`shopassist serve --allow-origin {origin}`"
        )

    def check(self, origin: str | None, own: str) -> dict[str, Any]:
        """The answer of `/cors-check` to a page of `origin`."""
        if not origin:
            return {"origin": None, "allowed": True, "server": own, "fix": None}
        admitted = self.admits(origin, own)
        return {
            "origin": origin,
            "allowed": admitted,
            "server": own,
            "fix": None if admitted else self.fix(origin),
        }

    def note(self, origin: str) -> None:
        """Log a refused origin, the first time it is seen."""
        with self._lock:
            if origin in self._logged or len(self._logged) >= MAX_LOGGED:
                return
            self._logged.add(origin)
            last = len(self._logged) == MAX_LOGGED
        log.warning("refused the page origin %r (CORS): %s", origin[:200], self.fix(origin[:200]))
        if last:
            log.warning("over %d refused origins: no more are logged", MAX_LOGGED)


class OriginWatch:
    """ASGI middleware (outside the CORS one): notes API requests from refused origins."""

    def __init__(self, app: Any, origins: Origins, prefix: str) -> None:
        self.app, self.origins, self.prefix = app, origins, prefix

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            headers = dict(scope.get("headers") or [])
            origin = headers.get(b"origin", b"").decode("latin-1")
            if origin:
                host = headers.get(b"host", b"").decode("latin-1")
                if not self.origins.admits(origin, f"{scope.get('scheme', 'http')}://{host}"):
                    self.origins.note(origin)
        await self.app(scope, receive, send)
