"""A real package index for tests: pypiserver on 127.0.0.1, behind a small recording proxy.

The proxy forwards everything to pypiserver and records each upload (file name and status),
so tests can prove that no file was uploaded twice. It can also be told to refuse uploads
after the first N, to stand in for a connection lost half-way through a publish.

With `tls=True` the proxy speaks HTTPS with a certificate from a throwaway CA (its file is
`Index.ca_file`, for SSL_CERT_FILE), and plays the two services trusted publishing talks to:
GitHub's OIDC token endpoint, and PyPI's `/_/oidc/audience` and `/_/oidc/mint-token`, which uv
asks over HTTPS at the upload URL's host. The minted token is the index's `__token__` password.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path

import trustme
from passlib.apache import HtpasswdFile

from tests.json_handler import JsonHandler

PYPI_SERVER = str(Path(sys.executable).parent / "pypi-server")
# A login of the kind private indexes use (devpi, Artifactory, htpasswd), beside the token user.
INDEX_USER, INDEX_PASSWORD = "alice", "correct-horse-battery-staple"
UPLOAD_FILENAME = re.compile(rb'name="content"; filename="([^"]+)"')
# What GitHub gives a job with `id-token: write`: a bearer token for its OIDC token endpoint.
OIDC_REQUEST_TOKEN = "github-oidc-request-token-for-tests"
OIDC_TOKEN_PATH = "/_github/id-token?api-version=2.0"  # clients append &audience=...


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
    # Trusted publishing (tls=True only): the CA to trust, and PyPI's answer to a mint request.
    ca_file: Path | None = None
    oidc_request_url: str = ""
    no_trusted_publisher: bool = False  # PyPI has no publisher for the job: minting is refused
    minted: int = 0
    burnt: int = 0
    upload_token: str = field(default="", repr=False)

    def successful_uploads(self) -> list[str]:
        return [name for name, status in self.uploads if 200 <= status < 300]

    def uploads_of(self, stem: str) -> list[str]:
        """Accepted files of one release, e.g. stem `acme_widgets-1.2.0`, in upload order."""
        return [name for name in self.successful_uploads() if name.startswith((f"{stem}-", f"{stem}."))]

    def refused_as_present(self, stem: str) -> list[str]:
        """Files of one release the index refused with 409: it had them already."""
        return [name for name, status in self.uploads if status == 409 and name.startswith((f"{stem}-", f"{stem}."))]

    @contextmanager
    def listings_appear_after(self, seconds: float) -> Iterator[None]:
        """Hidden project pages show up `seconds` into the block, as a lagging CDN catches up."""
        revealer = threading.Timer(seconds, setattr, (self, "hide_listings", False))
        revealer.start()
        try:
            yield
        finally:
            revealer.cancel()

    def clear_faults(self) -> None:
        """Every fault switch off: the next test starts with a healthy index."""
        self.accept_uploads = self.outage_from_upload = None
        self.hide_listings = self.corrupt_listed_hashes = self.omit_listed_hashes = False
        self.redirect_listings_to = None
        self.outage_requests = 0
        self.no_trusted_publisher = False


class _Proxy(JsonHandler):
    index: Index
    upstream: tuple[str, int]

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

    def _trusted_publishing(self) -> bool:
        """GitHub's OIDC token endpoint and PyPI's audience, mint and burn endpoints; True when answered here."""
        if self.index.ca_file is None:
            return False
        if self.command == "GET" and self.path.startswith(OIDC_TOKEN_PATH + "&audience="):
            if self.headers.get("Authorization", "").lower() != f"bearer {OIDC_REQUEST_TOKEN}":
                self.reply_json(401, {"message": "Bad credentials"})
                return True
            self.reply_json(200, {"value": id_token(audience=self.path.rsplit("&audience=", 1)[1])})
            return True
        if self.command == "GET" and self.path == "/_/oidc/audience":
            self.reply_json(200, {"audience": "pypi"})
            return True
        if self.command == "POST" and self.path == "/_/oidc/mint-token":
            token = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))["token"]
            if token != id_token(audience="pypi") or self.index.no_trusted_publisher:
                # PyPI's own answer when no trusted publisher matches the job's claims.
                self.reply_json(422, {"message": "Token request failed", "errors": [{
                    "code": "invalid-publisher",
                    "description": "valid token, but no corresponding publisher (All lookup strategies exhausted)",
                }]})  # fmt: skip
                return True
            self.index.minted += 1
            self.reply_json(200, {"success": True, "token": self.index.upload_token})
            return True
        if self.command == "POST" and self.path == "/_/oidc/burn-token":  # uv revokes the token once done
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.index.burnt += 1
            self.reply_json(200, {})
            return True
        return False

    def _forward(self) -> None:
        if self._trusted_publishing() or self._listing_fault():
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


def id_token(audience: str) -> str:
    """The JWT GitHub would issue the release workflow's publish job (unsigned: nobody checks it here)."""
    claims = {
        "iss": "https://token.actions.githubusercontent.com",
        "aud": audience,
        "sub": "repo:acme/acme-widgets:environment:pypi",
        "repository": "acme/acme-widgets",
        "repository_owner": "acme",
        "repository_owner_id": "1",
        "job_workflow_ref": "acme/acme-widgets/.github/workflows/release.yml@refs/heads/main",
        "ref": "refs/heads/main",
        "environment": "pypi",
    }
    parts = [{"alg": "RS256", "typ": "JWT"}, claims]
    encoded = [base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode() for part in parts]
    return ".".join([*encoded, "c2lnbmF0dXJl"])


def _serve_tls(proxy: ThreadingHTTPServer, root: Path) -> Path:
    """Wrap the proxy's socket in TLS with a certificate for 127.0.0.1; return the CA's file."""
    authority = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    proxy.socket = context.wrap_socket(proxy.socket, server_side=True)
    ca_file = root / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return ca_file


@contextmanager
def package_index(root: Path, token: str, *, tls: bool = False) -> Iterator[Index]:
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
        base = f"{'https' if tls else 'http'}://127.0.0.1:{proxy.server_address[1]}"
        index = Index(upload_url=f"{base}/", check_url=f"{base}/simple/", upload_token=token)
        if tls:
            index.ca_file = _serve_tls(proxy, root)
            index.oidc_request_url = base + OIDC_TOKEN_PATH
        proxy.RequestHandlerClass.index = index
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        yield index
    finally:
        if proxy is not None:
            proxy.shutdown()
            proxy.server_close()
        server.terminate()
        server.wait(timeout=10)
