"""Shared fixtures: render the template with the real `copier` CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.rendering import Rendered, default_answers
from tools.render import copier_copy

# The generated repos call `uv`, `make` and friends: use the tools of this venv.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"


@pytest.fixture
def render(tmp_path: Path) -> Callable[..., Rendered]:
    """Render the template into a fresh folder; keyword arguments override answers."""
    counter = iter(range(1000))

    def _render(**overrides: str) -> Rendered:
        answers = {**default_answers(), **overrides}
        dest = tmp_path / f"render-{next(counter)}"
        result = copier_copy(dest, answers)
        assert result.returncode == 0, result.stderr
        return Rendered(dest, answers)

    return _render


@pytest.fixture(scope="module")
def rendered_default(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """One render with the default answers, shared by read-only tests."""
    dest = tmp_path_factory.mktemp("default") / "acme-widgets"
    result = copier_copy(dest, default_answers())
    assert result.returncode == 0, result.stderr
    return Rendered(dest, default_answers())


def run(cmd: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> str:
    """Run a command, failing the test with its output if it fails."""
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(cmd)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout
