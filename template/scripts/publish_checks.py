"""The Python half of the publish scripts (publish-to-pypi.sh on a maintainer's machine,
publish-from-ci.sh in the release workflow): checks of the built files and of the index.

Standard library only, any Python >= 3.8. One process serves one publish run, so Python starts once:

  publish_checks.py --dist NAME VERSION DIST   (make build: step 2 alone, no index)
  publish_checks.py INDEX NAME VERSION DIST VERIFY_GO
    1. requests the index page at once, then waits for the end of standard input (build done);
    2. checks the wheel and sdist in DIST (names, metadata: what `twine check` checks) and
       compares them with what the index has of VERSION; prints `look STATUS`, then WORD and a
       sentence on one line, or the problem;
    3. waits for the end of the file VERIFY_GO (a FIFO: upload done), then polls the index until
       every file is listed with its local sha256; prints `verify STATUS` and one line.
STATUS is 0 or an exit code of the publish script; WORD is absent, partial or complete.
INDEX is the root of a simple repository API (PEP 691 JSON, else PEP 503 HTML), e.g.
https://pypi.org/simple/.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

# Exit codes, shared with publish-to-pypi.sh.
BUILD_INVALID = 7
CONFLICT = 8
UNREACHABLE = 10
MISMATCH = 11
TIMED_OUT = 12

RENDERABLE = ("text/markdown", "text/plain")


class Unreachable(Exception):
    """The index did not answer, or answered with an error other than 404."""


class NotFound(dict):
    """No page for the project (404): not uploaded yet, or not the index's simple root."""


def normalise(name: str) -> str:
    """PEP 503 project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def file_stem(name: str, version: str) -> str:
    """How distribution file names start (PEP 625 / wheel spec): `acme_widgets-1.0.0`."""
    return f"{normalise(name).replace('-', '_')}-{version}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- the built files --------------------------------------------------------------------


def _metadata(path: Path, stem: str) -> tuple[dict[str, str], str]:
    """Core metadata headers and the long description (the body after the headers)."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            raw = wheel.read(f"{stem}.dist-info/METADATA")
    else:
        with tarfile.open(path) as sdist:
            member = sdist.extractfile(f"{stem}/PKG-INFO")
            if member is None:
                raise KeyError(f"{stem}/PKG-INFO")
            raw = member.read()
    head, _, body = raw.decode("utf-8").replace("\r\n", "\n").partition("\n\n")
    headers: dict[str, str] = {}
    for line in head.splitlines():  # RFC 822 style; the fields checked here are one line each
        key, sep, value = line.partition(":")
        if sep and not line[:1].isspace():
            headers.setdefault(key.strip(), value.strip())
    return headers, body


def metadata_problems(path: Path, name: str, version: str) -> list[str]:
    stem = file_stem(name, version)
    try:
        meta, description = _metadata(path, stem)
    except Exception as error:  # any unreadable archive is the same finding
        return [f"{path.name}: no readable metadata ({error})"]
    problems = []
    if normalise(meta.get("Name", "")) != normalise(name):
        problems.append(f"{path.name}: Name is {meta.get('Name')!r}, expected {name!r}")
    if meta.get("Version") != version:
        problems.append(f"{path.name}: Version is {meta.get('Version')!r}, expected {version!r}")
    content_type = (meta.get("Description-Content-Type") or "").split(";")[0].strip()
    if content_type not in RENDERABLE:
        shown = content_type or "missing"
        problems.append(
            f"{path.name}: Description-Content-Type {shown}: these checks take a Markdown or"
            ' plain-text README (readme = "README.md"); they cannot render reStructuredText'
        )
    if not (description or meta.get("Description", "")).strip():
        problems.append(f"{path.name}: the long description (README) is empty")
    return problems


def dist_problems(name: str, version: str, files: list[Path]) -> list[str]:
    """Every problem with the built files' names and metadata."""
    stem = file_stem(name, version)
    wheels = [f for f in files if f.name.endswith(".whl")]
    sdists = [f for f in files if f.name.endswith(".tar.gz")]
    problems = []
    if len(wheels) != 1 or len(sdists) != 1 or len(files) != 2:
        built = ", ".join(f.name for f in files) or "nothing"
        problems.append(f"expected one wheel and one sdist, got {built}")
    prefix = f"{stem}-"
    problems += [
        f"{f.name} does not start with {prefix}" for f in wheels if not f.name.startswith(prefix)
    ]
    problems += [f"{f.name} is not {stem}.tar.gz" for f in sdists if f.name != f"{stem}.tar.gz"]
    if not problems:
        problems = [p for f in files for p in metadata_problems(f, name, version)]
    return problems


# ---- the index ----------------------------------------------------------------------------------


class _Links(HTMLParser):
    """PEP 503 page: file name -> sha256 from each link's `#sha256=` fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, str] = {}
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""

    def handle_data(self, data: str) -> None:
        if self._href is not None and data.strip():
            digest = re.search(r"#sha256=([0-9a-f]{64})", self._href)
            self.files[data.strip()] = digest.group(1) if digest else ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port: a redirect that changes any of them leaves the index."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects within the index's own host only. Another host's page (pypiserver sends
    projects it lacks to pypi.org) would compare this build with somebody else's files."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if _origin(newurl) != _origin(req.full_url):
            raise Unreachable(
                f"{req.full_url} redirected to another host ({newurl}): check only the index you"
                " upload to (a pypiserver needs --disable-fallback)"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameHostRedirects)


def index_files(index: str, name: str) -> dict[str, str]:
    """Every file the index lists for the project, with its sha256 ('' when not given)."""
    request = urllib.request.Request(
        f"{index.rstrip('/')}/{normalise(name)}/",
        headers={
            "Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.1",
            "Cache-Control": "no-cache",
        },
    )
    try:
        with _OPENER.open(request, timeout=15) as response:
            body = response.read().decode("utf-8")
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return NotFound()
        answer = f"{request.full_url} answered {error.code} {error.reason}"
        if error.code in (401, 403):
            answer += ": the look and the verification read the index without a login"
        raise Unreachable(answer) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise Unreachable(f"cannot reach {request.full_url}: {reason}") from error
    if "json" in content_type:
        listed = json.loads(body)["files"]
        return {f["filename"]: f.get("hashes", {}).get("sha256", "") for f in listed}
    links = _Links()
    links.feed(body)
    return links.files


def _of_version(files: dict[str, str], name: str, version: str) -> dict[str, str]:
    stem = file_stem(name, version).lower()
    prefixes = (f"{stem}-", f"{stem}.tar.gz", f"{stem}.zip")
    return {f: h for f, h in files.items() if f.lower().startswith(prefixes)}


# ---- one publish run -----------------------------------------------------------------------


class Result(Exception):
    """How a step ended: an exit code of the publish script and one line."""

    def __init__(self, status: int, line: str) -> None:
        super().__init__(line)
        self.status, self.line = status, line


def look(remote: dict[str, str] | Unreachable, name: str, version: str, files: list[Path]) -> str:
    """Built files fine, and what the index has of this version; raises Result otherwise."""
    problems = dist_problems(name, version, files)
    if problems:
        raise Result(BUILD_INVALID, "; ".join(problems))
    if isinstance(remote, Unreachable):
        raise Result(UNREACHABLE, str(remote))
    remote = _of_version(remote, name, version)
    local = {f.name: sha256(f) for f in files}
    # A listed file without a sha256 (PEP 503 makes hashes optional) cannot be compared: only
    # another name, or another sha256, is a conflict.
    different = sorted(
        f for f, digest in remote.items() if f not in local or digest not in ("", local[f])
    )
    if different:
        listed = ", ".join(different)
        raise Result(CONFLICT, f"{version} is already on the index with different files: {listed}")
    if not remote:
        return f"absent {version} is not on the index yet"
    if set(remote) == set(local):
        compared = _compared(remote, " with identical files")
        return f"complete {version} is already on the index{compared}"
    there = ", ".join(sorted(remote))
    return f"partial {version} is partly on the index ({there}); uploading the rest"


def _compared(listed: dict[str, str], all_hashed: str) -> str:
    """How far the index's sha256s vouch for the listed files (all were equal where given)."""
    unhashed = sorted(f for f, digest in listed.items() if not digest)
    if not unhashed:
        return all_hashed
    return f" (the index gives no sha256 for {', '.join(unhashed)} to compare)"


def verify(index: str, name: str, files: list[Path]) -> str:
    """Poll with backoff until every file is listed with its local sha256, or the deadline."""
    local = {f.name: sha256(f) for f in files}
    deadline = time.monotonic() + float(os.environ.get("PUBLISH_VERIFY_TIMEOUT") or "120")
    delay, last_error = 0.1, ""
    while True:
        try:
            remote = index_files(index, name)
            last_error = ""
        except Unreachable as error:
            remote, last_error = {}, str(error)
        wrong = sorted(f for f in local if f in remote and remote[f] and remote[f] != local[f])
        if wrong:
            listed = ", ".join(wrong)
            raise Result(
                MISMATCH, f"the index lists {listed} with another sha256 than the files built here"
            )
        missing = sorted(f for f in local if f not in remote)
        if not missing:
            matched = " with matching sha256"
            return f"{len(local)} files listed{_compared({f: remote[f] for f in local}, matched)}"
        left = deadline - time.monotonic()
        if left <= 0:
            reason = f" (last error: {last_error})" if last_error else ""
            if isinstance(remote, NotFound):
                page = f"{index.rstrip('/')}/{normalise(name)}/"
                reason = f" ({page} answers 404: is {index} the index's simple root?)"
            raise Result(
                TIMED_OUT,
                f"not listed on the index before the deadline: {', '.join(missing)}{reason}",
            )
        time.sleep(min(delay, left))  # the last look is at the deadline
        delay = min(delay * 2, 5.0)


def report(step: str, run: Callable[[], str]) -> bool:
    """Print `STEP STATUS` and the outcome on the next line; True when the step passed."""
    try:
        outcome, status = run(), 0
    except Result as result:
        outcome, status = result.line, result.status
    print(f"{step} {status}\n{outcome}", flush=True)
    return status == 0


def built_files(dist: Path) -> list[Path]:
    return sorted(dist.glob("*.whl")) + sorted(dist.glob("*.tar.gz"))


def check_dist(name: str, version: str, dist: Path) -> None:
    """make build's check: the files' names and metadata, before any release is tagged."""
    files = built_files(dist)
    problems = dist_problems(name, version, files)
    if problems:
        print("\n".join(f"publish_checks: {problem}" for problem in problems), file=sys.stderr)
        sys.exit(BUILD_INVALID)
    names = ", ".join(f.name for f in files)
    print(f"publish_checks: {names}: names and metadata fit for an upload")


def main(argv: list[str]) -> None:
    if len(argv) == 4 and argv[0] == "--dist":
        check_dist(argv[1], argv[2], Path(argv[3]))
        return
    if len(argv) != 5:
        sys.exit(__doc__)
    index, name, version, dist, verify_go = argv
    try:
        remote: dict[str, str] | Unreachable = index_files(index, name)
    except Unreachable as error:
        remote = error
    if "go" not in sys.stdin.read():  # no build to check: the publish ended early
        return
    files = built_files(Path(dist))
    if not report("look", lambda: look(remote, name, version, files)):
        return
    with open(verify_go) as upload_done:
        if "go" not in upload_done.read():  # nothing was uploaded
            return
    report("verify", lambda: verify(index, name, files))


if __name__ == "__main__":
    main(sys.argv[1:])
