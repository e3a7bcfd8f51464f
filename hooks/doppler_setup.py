"""Bind a freshly generated repo to its Doppler project and config, when Doppler is ready.

Runs `doppler me` (the cheap authentication check) and then `doppler setup --no-interactive
--no-save-token`, which reads doppler.yaml. When the CLI is missing, not logged in or cannot
reach the API, it says what to run later and carries on: generation never fails for Doppler.
`doppler me` is a network round trip, so the hook starts it before validating and reads its
answer afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from say import say

LATER = "then run `make doppler-setup` in the new repo"


def _doppler(args: list[str], repo: Path) -> subprocess.Popen[str]:
    # No colour codes in the errors we quote; doppler.yaml, not an exported DOPPLER_PROJECT or
    # DOPPLER_CONFIG (`doppler run` sets both), names the project and config.
    env = {k: v for k, v in os.environ.items() if k not in ("DOPPLER_PROJECT", "DOPPLER_CONFIG")}
    env["TERM"] = "dumb"
    return subprocess.Popen(
        ["doppler", *args, "--attempts", "1", "--no-check-version"],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _outcome(process: subprocess.Popen[str]) -> str | None:
    """None when the command succeeded, else the last line of its error."""
    _, errors = process.communicate()
    if process.returncode == 0:
        return None
    lines = [line for line in errors.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit {process.returncode}"


def start_login_check(repo: Path) -> subprocess.Popen[str] | None:
    """`doppler me`, running in the background; None when the CLI is not installed."""
    if shutil.which("doppler") is None:
        return None
    return _doppler(["me"], repo)


def setup_doppler(repo: Path, login_check: subprocess.Popen[str] | None) -> bool:
    """Print one line on what happened; True when the directory is now bound."""
    if login_check is None:
        say("doppler", f"skipped: the Doppler CLI is not installed; install it and `doppler login`, {LATER}")
        return False
    error = _outcome(login_check)
    if error is not None:
        say("doppler", f"skipped: {error}; `doppler login`, {LATER}")
        return False
    error = _outcome(_doppler(["setup", "--no-interactive", "--no-save-token"], repo))
    if error is not None:
        say("doppler", f"not bound: {error}; {LATER}")
        return False
    say("doppler", "this directory is bound to the project and config in doppler.yaml")
    return True
