"""Probes in front of the programs a publish script starts: each notes its call and which secret
it could read (in its environment, or the token's pipe left open as fd 3), then runs the real
program."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

TOOLS = ("python3", "uv", "git", "tar", "mkdir", "sed", "grep", "head", "rm", "mktemp", "tr")
# The one command that needs the token: uv's upload.
UPLOAD = "uv publish"


@dataclass
class Probes:
    path: str  # PATH with the probes first
    directory: Path

    def calls(self) -> set[str]:
        """Each probed call as "tool first-argument"."""
        log = self.directory / "calls.log"
        return set(log.read_text().splitlines()) if log.exists() else set()

    def secrets_seen(self) -> str:
        """One line per call that could read a secret it does not need; empty when none could."""
        log = self.directory / "seen.log"
        return log.read_text() if log.exists() else ""


def install_probes(directory: Path, path: str, secrets: dict[str, str]) -> Probes:
    directory.mkdir()
    seen, calls = directory / "seen.log", directory / "calls.log"
    # The probes' own env and grep by their full paths: through PATH, grep would be a probe itself.
    env, grep = shutil.which("env", path=path), shutil.which("grep", path=path)
    for tool in TOOLS:
        real = shutil.which(tool, path=path)
        if real is None:
            continue
        checks = "".join(
            f'  if "{env}" | "{grep}" -qF \'{value}\' && [ "{tool} $1" != \'{UPLOAD}\' ]; then'
            f' echo "{tool} holds {name}: $*"; fi\n'
            for name, value in secrets.items()
        )
        probe = directory / tool
        probe.write_text(
            f'#!/bin/sh\necho "{tool} $1" >>"{calls}"\n'
            f'{{ if [ -e /proc/self/fd/3 ]; then echo "{tool} has fd 3: $*"; fi\n{checks}}} >>"{seen}"\n'
            f'exec "{real}" "$@"\n'
        )
        probe.chmod(0o755)
    return Probes(f"{directory}:{path}", directory)
