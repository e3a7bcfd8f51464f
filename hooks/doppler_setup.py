"""Bind a freshly generated repo to its Doppler project and config, when Doppler is ready.

Runs `doppler me` (the cheap authentication check) and then `doppler setup --no-interactive
--no-save-token`, which reads doppler.yaml. When the CLI is missing, not logged in or cannot
reach the API, it says what to run later and carries on: generation never fails for Doppler.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

LATER = "then run `make doppler-setup` in the new repo"


def _doppler(args: list[str], repo: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TERM": "dumb"}  # no colour codes in the errors we quote
    return subprocess.run(
        ["doppler", *args, "--attempts", "1", "--no-check-version"],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


def _first_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit {result.returncode}"


def setup_doppler(repo: Path) -> bool:
    """Print one line on what happened; True when the directory is now bound."""
    if shutil.which("doppler") is None:
        print(f"  doppler   skipped: the Doppler CLI is not installed; install it and `doppler login`, {LATER}")
        return False
    me = _doppler(["me"], repo)
    if me.returncode != 0:
        print(f"  doppler   skipped: {_first_error_line(me)}; `doppler login`, {LATER}")
        return False
    setup = _doppler(["setup", "--no-interactive", "--no-save-token"], repo)
    if setup.returncode != 0:
        print(f"  doppler   not bound: {_first_error_line(setup)}; {LATER}")
        return False
    print("  doppler   this directory is bound to the project and config in doppler.yaml")
    return True
