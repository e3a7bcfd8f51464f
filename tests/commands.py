"""Run a command in a test, failing the test with its output when it fails."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path


def run(cmd: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> str:
    """Run a command, failing the test with its output if it fails."""
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(cmd)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def attempt(cmd: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command that may fail on purpose: no stdin, output captured, the result returned."""
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
