"""The template repo's own targets refuse what they cannot do, before doing anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tools.render import REPO_ROOT


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_make_new_without_a_terminal_says_how_to_copy_without_one(tmp_path: Path) -> None:
    result = make("new", f"DEST={tmp_path / 'pkg'}")

    assert result.returncode == 2
    printed = "needs a terminal; without one: make venv, then .venv/bin/copier copy --trust --defaults -d project_name="
    assert printed in result.stderr
    assert not (tmp_path / "pkg").exists()


def test_make_new_gives_copier_the_template_s_absolute_path(tmp_path: Path) -> None:
    """The answers record the path as given: a relative one would break `copier update`."""
    result = make("-n", "new", f"DEST={tmp_path / 'pkg'}")

    assert result.returncode == 0, result.stderr
    assert f'copier copy --trust "{REPO_ROOT}" "{tmp_path / "pkg"}"' in result.stdout


def test_the_demo_never_deletes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    keep = tmp_path / "mine.txt"
    keep.write_text("mine\n")

    result = subprocess.run(
        [sys.executable, "-m", "tools.demo", str(tmp_path)], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode != 0
    assert "is not empty and is no earlier demo" in result.stderr
    assert keep.read_text() == "mine\n"
