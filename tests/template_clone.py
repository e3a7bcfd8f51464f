"""A committed, tagged copy of this template, for tests that change it and run `copier update`."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from tests.commands import run
from tests.gitrepo import commit_everything, git
from tests.rendering import default_answers
from tools.render import REPO_ROOT, copy_command


def template_clone(tmp_path: Path) -> Path:
    """This template (uncommitted work included) committed and tagged v1.0.0 in tmp_path/template."""
    clone = tmp_path / "template"
    shutil.copytree(REPO_ROOT, clone, ignore=shutil.ignore_patterns(".venv", "build", "__pycache__", ".*_cache"))
    commit_everything(clone, "snapshot")
    git(clone, "tag", "v1.0.0")
    return clone


def render_from(template: Path, dest: Path, answers: Mapping[str, str] | None = None) -> None:
    """`copier copy` of that clone into dest (the default answers unless given)."""
    cmd = copy_command(dest, default_answers() if answers is None else answers)
    cmd[-2] = str(template)
    run(cmd, dest.parent)


def release_template_edit(template: Path, relpath: str, old: str, new: str, message: str) -> None:
    """Replace old with new in one file of the clone, commit it as message and tag it v1.0.1."""
    path = template / relpath
    text = path.read_text()
    assert old in text, f"{old!r} not in {relpath}"
    path.write_text(text.replace(old, new))
    commit_everything(template, message)
    git(template, "tag", "v1.0.1")
