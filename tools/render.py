"""Run the real `copier copy` on this template: shared by the tests, the demo and the benchmark."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
COPIER = str(Path(sys.executable).parent / "copier")

# The required answers only; everything else takes its default (the README's acceptance command).
DEFAULT_ANSWERS = {
    "project_name": "Acme Widgets",
    "author_name": "A",
    "author_email": "a@example.com",
    "github_owner": "acme",
}


def copy_command(dest: Path, answers: Mapping[str, str], *extra: str, source: Path = REPO_ROOT) -> list[str]:
    """`copier copy --trust --defaults -d k=v ... SOURCE dest` (SOURCE: this checkout)."""
    data = [arg for key, value in answers.items() for arg in ("-d", f"{key}={value}")]
    return [COPIER, "copy", "--trust", "--defaults", "--quiet", *data, *extra, str(source), str(dest)]


def copier_copy(dest: Path, answers: Mapping[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    """Render into dest with the real CLI, no stdin, output captured."""
    return subprocess.run(
        copy_command(dest, answers, *extra),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
    )
