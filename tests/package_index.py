"""A real package index for tests: pypiserver on 127.0.0.1, behind a small recording proxy.

The proxy forwards everything to pypiserver and records each upload (file name and status),
so tests can prove that no file was uploaded twice. It can also be told to refuse uploads
after the first N, to stand in for a connection lost half-way through a publish.
"""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from passlib.apache import HtpasswdFile

PYPI_SERVER = str(Path(sys.executable).parent / "pypi-server")
# A login of the kind private indexes use (devpi, Artifactory, htpasswd), beside the token user.
INDEX_USER, INDEX_PASSWORD = "alice", "correct-horse-battery-staple"
UPLOAD_FILENAME = re.compile(rb'name="content"; filename="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Index:
    """URLs of the proxied index, its uploads so far, and a switch to break uploads."""

    upload_url: str
    check_url: str
    uploads: list[tuple[str, int]] = field(default_factory=list)
    accept_uploads: int | None = None  # None: every upload goes through
    hide_listings: bool = False  # project pages answer 404, like a CDN that has not caught up
    corrupt_listed_hashes: bool = False  # once something is uploaded, pages list wrong sha256s
    omit_listed_hashes: bool = False  # pages list files without a sha256 (PEP 503 allows it)
    # Project pages redirect here, like a pypiserver without --disable-fallback sending them to pypi.org.
    redirect_listings_to: str | None = None
    # Once the index has taken this many uploads in all, the next outage_requests page requests get a 503.
    outage_from_upload: int | None = None
    outage_requests: int = 0

    def successful_uploads(self) -> list[str]:
        return [name for name, status in self.uploads if 200 <= status < 300]

    def uploads_of(self, stem: str) -> list[str]:
        """Accepted files of one release, e.g. stem `acme_widgets-1.2.0`, in upload order."""
        return [name for name in self.successful_uploads() if name.startswith((f"{stem}-", f"{stem}."))]

    def clear_faults(self) -> None:
        """Every fault switch off: the next test starts with a healthy index."""
        self.accept_uploads = self.outage_from_upload = None
        self.hide_listings = self.corrupt_listed_hashes = self.omit_listed_hashes = False
        self.redirect_listings_to = None
        self.outage_requests = 0


class _Proxy(BaseHTTPRequestHandler):
    index: Index
    upstream: tuple[str, int]

    def log_message(self, *args: object) -> None:
        pass

    def _listing_fault(self) -> bool:
        """Answer a project page the way a faulty index would; True when answered here."""
        if self.command != "GET" or not self.path.startswith("/simple/") or self.path == "/simple/":
            return False
        if self.index.hide_listings:
            self.send_error(404, "not listed yet (test fault)")
            return True
        if self.index.redirect_listings_to:
            self.send_response(303)
            self.send_header("Location", self.index.redirect_listings_to + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        start = self.index.outage_from_upload
        if start is not None and self.index.outage_requests and len(self.index.successful_uploads()) >= start:
            self.index.outage_requests -= 1
            self.send_error(503, "index briefly unavailable (test fault)")
            return True
        return False

    def _forward(self) -> None:
        if self._listing_fault():
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        filename = UPLOAD_FILENAME.search(body) if self.command == "POST" else None
        if filename and self.index.accept_uploads is not None:
            if len(self.index.successful_uploads()) >= self.index.accept_uploads:
                self.index.uploads.append((filename.group(1).decode(), 503))
                self.send_error(503, "connection to the index lost (test fault)")
                return
        upstream = http.client.HTTPConnection(*self.upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        if self.index.corrupt_listed_hashes and self.path.startswith("/simple/") and self.index.successful_uploads():
            payload = re.sub(rb"#sha256=[0-9a-f]{64}", b"#sha256=" + b"0" * 64, payload)
        if self.index.omit_listed_hashes and self.path.startswith("/simple/"):
            payload = re.sub(rb"#sha256=[0-9a-f]{64}", b"", payload)
        if filename:
            self.index.uploads.append((filename.group(1).decode(), response.status))
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        # A HEAD answer has no body but must still tell the real size.
        length = response.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(payload))
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        upstream.close()

    do_GET = do_POST = do_HEAD = _forward


def _wait_until_serving(port: int, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pypiserver exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("pypiserver did not start in time")


@contextmanager
def package_index(root: Path, token: str) -> Iterator[Index]:
    """pypiserver with one user, `__token__` / token (uploads need it), behind the proxy."""
    packages = root / "packages"
    packages.mkdir(parents=True)
    htpasswd = HtpasswdFile(str(root / "htpasswd"), new=True, default_scheme="apr_md5_crypt")
    htpasswd.set_password("__token__", token)
    htpasswd.set_password(INDEX_USER, INDEX_PASSWORD)
    htpasswd.save()
    port = free_port()
    server = subprocess.Popen(
        [PYPI_SERVER, "run", "-i", "127.0.0.1", "-p", str(port), "-P", str(root / "htpasswd"), "-a", "update",
         "--log-stream", "none", "--disable-fallback", str(packages)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    proxy: ThreadingHTTPServer | None = None
    try:
        _wait_until_serving(port, server, time.monotonic() + 20)
        proxy = ThreadingHTTPServer(("127.0.0.1", 0), type("Proxy", (_Proxy,), {"upstream": ("127.0.0.1", port)}))
        base = f"http://127.0.0.1:{proxy.server_address[1]}"
        index = Index(upload_url=f"{base}/", check_url=f"{base}/simple/")
        proxy.RequestHandlerClass.index = index
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        yield index
    finally:
        if proxy is not None:
            proxy.shutdown()
            proxy.server_close()
        server.terminate()
        server.wait(timeout=10)
