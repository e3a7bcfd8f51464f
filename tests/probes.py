"""Probes in front of the programs a publish script starts: each notes which secret it could read
(in its environment, or the token's pipe left open as fd 3), then runs the real program."""

from __future__ import annotations

import shutil
from pathlib import Path

TOOLS = ("python3", "uv", "git", "tar", "mkdir", "sed", "grep", "head", "rm", "mktemp", "tr")
# The one command that needs the token: uv's upload.
UPLOAD = "uv publish"


def install_probes(directory: Path, path: str, secrets: dict[str, str]) -> tuple[str, Path]:
    """PATH with a probe first for each tool, and the file where the probes write what they saw."""
    directory.mkdir()
    seen = directory / "seen.log"
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
            f'#!/bin/sh\n{{ if [ -e /proc/self/fd/3 ]; then echo "{tool} has fd 3: $*"; fi\n{checks}}} >>"{seen}"\n'
            f'exec "{real}" "$@"\n'
        )
        probe.chmod(0o755)
    return f"{directory}:{path}", seen


def what_probes_saw(seen: Path) -> str:
    return seen.read_text() if seen.exists() else ""
