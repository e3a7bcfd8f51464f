"""After an update: bring uv.lock in step with the pyproject.toml the update may have changed.

A template change to the dependencies or to python_min leaves uv.lock behind, and nothing local
notices (`make test` runs `uv run --frozen`) until CI's `make install` with UV_LOCKED fails. So
after a clean update the hook re-locks with `uv lock`; the maintainer commits the new lock with
the rest of the update. When uv is missing or cannot resolve (no network), it says what to run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def relock(repo: Path) -> None:
    lock = repo / "uv.lock"
    if not lock.is_file():
        return  # never installed yet: `make install` writes the first lock
    uv = shutil.which("uv")
    if uv is None:
        print("  uv.lock   not checked: uv is not on PATH; run `make install` and commit uv.lock")
        return
    before = lock.read_bytes()
    result = subprocess.run([uv, "lock", "--quiet"], cwd=repo, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit {result.returncode}"
        print(f"  uv.lock   could not re-lock ({reason}); run `make install` and commit uv.lock")
    elif lock.read_bytes() == before:
        print("  uv.lock   in step with pyproject.toml")
    else:
        print("  uv.lock   re-locked for the updated pyproject.toml: commit it with the update")
