"""A generated repo passes its own `make install test lint build` and is already formatted."""

from __future__ import annotations

import pytest

from tests.commands import run
from tests.gitrepo import commit_everything

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("answers", "dist_stem"),
    [
        ({}, "acme_widgets-0.0.0"),
        (
            {
                "project_name": "Zeta Tools",
                "publish_via": "trusted-publishing",
                "python_min": "3.10",
                "license": "Apache-2.0",
                "module_name": "zeta",
            },
            "zeta_tools-0.0.0",
        ),
    ],
    ids=["defaults", "trusted-publishing"],
)
def test_generated_repo_passes_its_own_checks(render, answers: dict[str, str], dist_stem: str) -> None:
    rendered = render(**answers)
    commit_everything(rendered.path, "chore: init")

    run(["make", "install", "test", "lint", "build"], rendered.path)

    built = sorted(p.name for p in (rendered.path / "dist").iterdir() if not p.name.startswith("."))
    assert built == [f"{dist_stem}-py3-none-any.whl", f"{dist_stem}.tar.gz"]

    run(["make", "format"], rendered.path)
    changed = run(["git", "status", "--porcelain", "--untracked-files=no"], rendered.path)
    assert changed == "", f"`make format` changed a fresh render:\n{changed}"


def test_make_help_lists_every_target(rendered_default) -> None:
    out = run(["make", "--no-print-directory"], rendered_default.path)
    for target in ("help", "install", "test", "lint", "format", "build", "clean"):
        assert f"  {target} " in out
