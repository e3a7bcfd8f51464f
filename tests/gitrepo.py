"""Small git helpers for tests and benchmarks."""

from __future__ import annotations

import os
from pathlib import Path

from tests.commands import run

# A fixed identity, and no user or system config (signing, hooks, aliases) leaking in.
ISOLATED_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    return run(["git", *args], repo).strip()


def commit_everything(repo: Path, message: str, *, branch: str = "main") -> None:
    """Initialise the repo if needed and commit its whole tree."""
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", branch)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
