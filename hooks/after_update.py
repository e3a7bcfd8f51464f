"""After a clean update: what the maintainer should know before committing it.

- uv.lock: a template change to the dependencies or to python_min leaves it behind, and nothing
  local notices (`make test` runs `uv run --frozen`) until CI's `make install` with UV_LOCKED
  fails. So the hook re-locks with `uv lock`; when uv is missing or cannot resolve (no
  network), it says what to run.
- Removed files: a new module_name or publish_via deletes the old answer's files, edited or
  not (Copier's doing). The hook names them and how to bring one back.
- A new release_branch: the workflows now run on the new name only, while the git branch and
  GitHub's default branch keep the old one, so no release would ever run. The hook says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from answers import parse_answers

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


def report_branch(repo: Path) -> None:
    """Say what to rename when the update changed the release_branch answer."""
    if not (repo / ".git").exists() or shutil.which("git") is None:
        return
    committed = subprocess.run(
        ["git", "show", "HEAD:.copier-answers.yml"], cwd=repo, capture_output=True, text=True, check=False
    )
    answers = repo / ".copier-answers.yml"
    if committed.returncode != 0 or not answers.is_file():
        return
    old = parse_answers(committed.stdout).get("release_branch")
    new = parse_answers(answers.read_text(encoding="utf-8")).get("release_branch")
    if old is None or new is None or old == new:
        return
    current = subprocess.run(
        ["git", "symbolic-ref", "--quiet", "--short", "HEAD"], cwd=repo, capture_output=True, text=True, check=False
    ).stdout.strip()
    # A maintainer who renamed the branch before updating only has the push and GitHub left.
    rename = f"git push -u origin {new}" if current == new else f"git branch -m {old} {new} && git push -u origin {new}"
    print(
        f"  branch    release_branch is now {new} (was {old}): the workflows run on {new} only. Rename the"
        f" branch (`{rename}`), then make {new} the default branch on GitHub (Settings, General, Default branch)"
    )
