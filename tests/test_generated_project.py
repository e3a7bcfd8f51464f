"""A generated repo passes its own `make install test lint build` and is already formatted."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.commands import run
from tests.gitrepo import commit_everything
from tests.rendering import default_answers
from tools.render import copier_copy

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("answers", "dist_stem"),
    [
        ({"license": "Proprietary"}, "acme_widgets-0.0.0"),  # a private package builds too
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
        ({"publish_via": "doppler-ci", "license": "BSD-3-Clause", "python_min": "3.11"}, "acme_widgets-0.0.0"),
        (  # the longest names the rules allow: the generated code still fits its 100 columns
            {
                "publish_via": "token-secret",
                "release_branch": "release/1.x",
                "package_name": "acme-" + "w" * 95,
                "module_name": "acme_" + "w" * 75,
            },
            "acme_" + "w" * 95 + "-0.0.0",
        ),
    ],
    ids=["defaults", "trusted-publishing", "doppler-ci", "token-secret"],
)
def test_generated_repo_passes_its_own_checks(render, answers: dict[str, str], dist_stem: str) -> None:
    rendered = render(**answers)
    commit_everything(rendered.path, "chore: init")

    run(["make", "install", "test", "lint", "validate", "build"], rendered.path)

    built = sorted(p.name for p in (rendered.path / "dist").iterdir() if not p.name.startswith("."))
    assert built == [f"{dist_stem}-py3-none-any.whl", f"{dist_stem}.tar.gz"]

    run(["make", "format"], rendered.path)
    changed = run(["git", "status", "--porcelain", "--untracked-files=no"], rendered.path)
    assert changed == "", f"`make format` changed a fresh render:\n{changed}"


def test_the_checks_run_on_a_fresh_copy_before_make_install(render) -> None:
    """The copy message suggests `make validate`: it must not need `make install` first."""
    rendered = render()
    assert not (rendered.path / "uv.lock").exists()

    out = run(["make", "validate"], rendered.path)

    assert "0 failed" in out
    assert (rendered.path / "uv.lock").is_file()


def test_make_clean_removes_every_tool_cache_and_keeps_the_venv(render) -> None:
    rendered = render()
    caches = [".ruff_cache", "scripts/.ruff_cache", ".pytest_cache", "src/acme_widgets/__pycache__", "build", "dist"]
    for cache in caches:
        (rendered.path / cache).mkdir(parents=True, exist_ok=True)
        (rendered.path / cache / "entry").write_text("")
    kept = rendered.path / ".venv/lib/__pycache__/entry"
    kept.parent.mkdir(parents=True)
    kept.write_text("")

    run(["make", "-s", "clean"], rendered.path)

    assert [cache for cache in caches if (rendered.path / cache).exists()] == []
    assert kept.exists()


def test_the_release_toolchain_without_npm_says_to_install_node(render, tmp_path: Path) -> None:
    rendered = render()
    bash_only = tmp_path / "bin"  # the Makefile's SHELL, and no npm or node
    bash_only.mkdir()
    (bash_only / "bash").symlink_to(shutil.which("bash"))
    make = shutil.which("make")

    result = subprocess.run([make, "-s", "release-tools"], cwd=rendered.path, env={"PATH": str(bash_only)},
                            capture_output=True, text=True, check=False)  # fmt: skip

    fail, next_step = result.stderr.splitlines()[:2]
    assert result.returncode != 0
    assert fail == "FAIL  npm is not installed (the release toolchain runs on Node.js)", result.stderr
    assert (
        next_step == "  next: install Node.js 22 (https://nodejs.org; 20.8.1 or later works), then make release-tools"
    ), result.stderr


def test_make_help_lists_every_target(rendered_default) -> None:
    out = run(["make", "--no-print-directory"], rendered_default.path)
    for target in ("help", "install", "test", "lint", "format", "build", "clean"):
        assert f"  {target} " in out


@pytest.mark.parametrize(
    "answers", [{}, {"license": "Proprietary"}, {"publish_via": "doppler-ci"}], ids=["default", "proprietary", "ci"]
)
def test_make_help_fits_80_columns_and_shows_your_own_targets_apart(render, answers: dict[str, str]) -> None:
    rendered = render(**answers)
    makefile = rendered.path / "Makefile"
    documented = dict(re.findall(r"^([a-zA-Z0-9_-]+):.*?## (.*)$", makefile.read_text(), re.MULTILINE))
    before = run(["make", "--no-print-directory", "help"], rendered.path)
    mine = "Build the documentation site with the company theme, then check every link in it"
    makefile.write_text(makefile.read_text() + f"\ndocs: ## {mine}\n\techo docs\n")

    after = run(["make", "--no-print-directory", "help"], rendered.path)

    assert [line for line in before.splitlines() if len(line) > 80] == [], before
    words = " ".join(before.split())
    assert all(f"{target} {' '.join(text.split())}" in words for target, text in documented.items()), before
    assert "Your own targets" not in before, "no empty section"
    _, section, own = after.partition("\nYour own targets\n")
    assert section and " ".join(own.split()) == f"docs {mine}", after
    assert [line for line in own.splitlines() if len(line) > 80] == [], after


def test_the_maintainers_ruff_settings_leave_the_template_scripts_alone(render) -> None:
    """A line length or rule set of the maintainer's own would reformat files `copier update` rewrites."""
    rendered = render()
    pyproject = rendered.path / "pyproject.toml"
    text = pyproject.read_text().replace("line-length = 100", "line-length = 79")
    pyproject.write_text(text.replace('select = ["E", "F", "W", "I", "B", "UP", "RUF"]', 'select = ["ALL"]'))

    def ruff(*args: str) -> subprocess.CompletedProcess[str]:
        tool = Path(sys.executable).parent / "ruff"
        return subprocess.run([tool, *args], cwd=rendered.path, capture_output=True, text=True, check=False)

    checked, formatted, own = ruff("check", "scripts"), ruff("format", "--check", "scripts"), ruff("check", "tests")

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    assert own.returncode != 0, "the maintainer's own code does follow the new settings"


@pytest.mark.parametrize("python_min", ["3.10", "3.14"])
def test_a_fresh_render_is_formatted_and_lint_clean_for_the_oldest_and_newest_python(render, python_min: str) -> None:
    """Ruff formats for the target Python: for 3.14 it drops the parentheses of `except (A, B):`,
    which the scripts, run by any python3, must keep."""
    rendered = render(python_min=python_min)
    ruff = Path(sys.executable).parent / "ruff"

    formatted = subprocess.run([ruff, "format", "--check", "--diff", "."], cwd=rendered.path, capture_output=True,
                               text=True, check=False)  # fmt: skip
    checked = subprocess.run([ruff, "check", "."], cwd=rendered.path, capture_output=True, text=True, check=False)

    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_make_format_formats_even_with_a_lint_error_no_fix_can_mend(render) -> None:
    rendered = render()
    code = rendered.path / "src/acme_widgets/core.py"
    code.write_text('def f( ):\n    return  "' + "x" * 120 + '"\n')  # unformatted, and a line too long

    result = subprocess.run(["make", "format"], cwd=rendered.path, capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert code.read_text().startswith('def f():\n    return "x'), code.read_text()


def test_make_validate_agrees_with_the_copy_time_check(tmp_path) -> None:
    """The checklist Copier printed after the copy is the one `make validate` prints in the repo."""
    dest = tmp_path / "repo"
    copied = copier_copy(dest, default_answers())
    assert copied.returncode == 0, copied.stderr
    commit_everything(dest, "chore: init")
    run(["make", "install"], dest)

    validated = subprocess.run(["make", "-s", "validate"], cwd=dest, capture_output=True, text=True, check=False)

    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert _checklist(validated.stdout) == _checklist(copied.stdout)
    assert "validate: 10 passed, 0 failed" in validated.stdout

    (dest / "package.json").write_text((dest / "package.json").read_text().replace('"0.0.0"', '"0.0.1"', 1))
    broken = subprocess.run(["make", "-s", "validate"], cwd=dest, capture_output=True, text=True, check=False)
    assert broken.returncode != 0
    assert "FAIL  versions-agree" in broken.stdout


def _checklist(output: str) -> list[tuple[str, str]]:
    """(mark, check) per line: the reasons may count files that `make install` added."""
    return re.findall(r"^  (ok|FAIL)\s+(\S+)", output, re.MULTILINE)
