"""Shared fixtures: render the template with the real `copier` CLI."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.gitrepo import ISOLATED_GIT_ENV
from tests.rendering import Rendered, default_answers
from tools.render import copier_copy

# The generated repos call `uv`, `make` and friends: use the tools of this venv.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
os.environ.update(ISOLATED_GIT_ENV)


@pytest.fixture
def render(tmp_path: Path) -> Callable[..., Rendered]:
    """Render the template into a fresh folder; keyword arguments override answers."""
    counter = iter(range(1000))

    def _render(**overrides: str) -> Rendered:
        answers = {**default_answers(), **overrides}
        dest = tmp_path / f"render-{next(counter)}"
        result = copier_copy(dest, answers)
        assert result.returncode == 0, result.stderr
        return Rendered(dest)

    return _render


@pytest.fixture(scope="module")
def rendered_default(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """One render with the default answers, shared by read-only tests."""
    dest = tmp_path_factory.mktemp("default") / "acme-widgets"
    result = copier_copy(dest, default_answers())
    assert result.returncode == 0, result.stderr
    return Rendered(dest)
