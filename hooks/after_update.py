"""After a clean update: what the maintainer should know before committing it.

- uv.lock: a template change to the dependencies or to python_min leaves it behind, and nothing
  local notices (`make test` runs `uv run --frozen`) until CI's `make install` with UV_LOCKED
  fails. So the hook re-locks with `uv lock`; when uv is missing or cannot resolve (no
  network), it says what to run.
- Removed files: a new module_name or publish_via deletes the old answer's files, edited or
  not (Copier's doing). The hook names them and how to bring one back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# uv settings from the maintainer's shell that would forbid the re-lock itself.
LOCK_BLOCKERS = ("UV_LOCKED", "UV_FROZEN")


def relock(repo: Path) -> None:
    lock = repo / "uv.lock"
    if not lock.is_file():
        return  # never installed yet: `make install` writes the first lock
    uv = shutil.which("uv")
    if uv is None:
        print("  uv.lock   not checked: uv is not on PATH; run `make install` and commit uv.lock")
        return
    before = lock.read_bytes()
    env = {k: v for k, v in os.environ.items() if k not in LOCK_BLOCKERS}
    try:
        result = subprocess.run(
            [uv, "lock", "--quiet"], cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=300
        )
    except subprocess.TimeoutExpired:
        print("  uv.lock   could not re-lock in 5 minutes; run `make install` and commit uv.lock")
        return
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        reason = next((line for line in lines if line.startswith("error")), lines[0] if lines else "")
        print(f"  uv.lock   could not re-lock ({reason or result.returncode}); run `make install` and commit uv.lock")
    elif lock.read_bytes() == before:
        print("  uv.lock   in step with pyproject.toml")
    else:
        print("  uv.lock   re-locked for the updated pyproject.toml: commit it with the update")


def report_removed(repo: Path) -> None:
    """Name the tracked files the update deleted from the working tree."""
    if not (repo / ".git").exists() or shutil.which("git") is None:
        return
    listing = ["git", "ls-files", "-z", "--deleted"]
    result = subprocess.run(listing, cwd=repo, capture_output=True, text=True, check=False)
    removed = [path for path in result.stdout.split("\0") if path]
    if result.returncode == 0 and removed:
        print(f"  removed   by the update: {', '.join(removed)} (`git checkout HEAD -- PATH` restores one)")
