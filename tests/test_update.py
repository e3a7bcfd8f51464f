"""`copier update` carries a template change into a generated repo cleanly."""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from tests.commands import attempt, run
from tests.gitrepo import commit_everything, git
from tests.rendering import default_answers
from tests.template_clone import release_template_edit, render_from, template_clone
from tools.render import COPIER


def _differences(left: Path, right: Path) -> list[str]:
    """Relative paths that differ between two trees, ignoring .git."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        for name in cmp.left_only + cmp.right_only + cmp.diff_files + cmp.funny_files:
            if name != ".git":
                found.append(prefix + name)
        for name, sub in cmp.subdirs.items():
            if name != ".git":
                walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return found


def report_lines(output: str, label: str) -> list[str]:
    """The hook's report lines with this label (piped, each entry is one line)."""
    return [line.strip() for line in output.splitlines() if line.strip().startswith(f"{label} ")]


def _committed_copy(tmp_path: Path, *, locked: bool = False) -> tuple[Path, Path]:
    """A clone of this template, and a default copy of it committed as "init" (with its uv.lock: locked)."""
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    render_from(template, project)
    if locked:
        run(["uv", "lock", "--quiet"], project)
    commit_everything(project, "init")
    return template, project


def test_update_applies_a_template_change_with_no_leftovers(tmp_path: Path) -> None:
    template, project = _committed_copy(tmp_path)

    editorconfig = template / "template/.editorconfig"
    editorconfig.write_text(editorconfig.read_text() + "\n[*.sh]\nindent_size = 2\n")
    commit_everything(template, "fix: indent shell scripts by two")
    git(template, "tag", "v1.0.1")

    run([COPIER, "update", "--trust", "--defaults", "--quiet"], project)

    assert "[*.sh]" in (project / ".editorconfig").read_text()
    assert not list(project.rglob("*.rej"))
    assert "1.0.1" in (project / ".copier-answers.yml").read_text()
    fresh = tmp_path / "fresh"
    render_from(template, fresh)
    assert _differences(project, fresh) == []


# A maintainer's own targets go right below these lines: a template change to them would conflict
# on `copier update` in every repo whose owner added one.
OWN_TARGETS_BOUNDARY = (
    "# ---- Your own targets " + "-" * 75 + "\n"
    "# Add them below: the template's own targets end here, so `copier update` can change those\n"
    "# without touching the lines next to yours.\n"
)


def test_the_maintainers_own_make_targets_survive_an_update_in_their_own_section(tmp_path: Path) -> None:
    template, project = _committed_copy(tmp_path)
    makefile = project / "Makefile"
    assert makefile.read_text().endswith(OWN_TARGETS_BOUNDARY)
    makefile.write_text(makefile.read_text() + "\ndocs: ## Build the docs\n\techo docs\n")
    commit_everything(project, "build: a docs target")
    release_template_edit(
        template, "template/Makefile.jinja", "## Run the test suite", "## Run the tests", "docs: a shorter help line"
    )

    run([COPIER, "update", "--trust", "--defaults", "--quiet"], project)

    listed = run(["make", "--no-print-directory", "help"], project)
    assert "  test               Run the tests\n" in listed
    assert listed.endswith("\nYour own targets\n  docs               Build the docs\n"), listed
    assert not list(project.rglob("*.rej"))


def test_the_maintainers_own_dev_tools_survive_an_update_of_the_templates(tmp_path: Path) -> None:
    """`uv add --dev` writes beside the template's tool list, not next to its last line."""
    template, project = _committed_copy(tmp_path)
    run(["uv", "add", "--quiet", "--dev", "--frozen", "pytest-cov>=5"], project)  # edits pyproject.toml only
    commit_everything(project, "build: coverage")
    release_template_edit(
        template,
        "includes/versions.jinja",
        '"pyyaml>=6.0"]',
        '"pyyaml>=6.0.2", "mypy>=1.18"]',
        "build: newer pyyaml, and mypy",
    )

    result = attempt([COPIER, "update", "--trust", "--defaults"], project)

    assert result.returncode == 0, result.stdout + result.stderr
    groups = tomllib.loads((project / "pyproject.toml").read_text())["dependency-groups"]
    assert groups["template-dev"][-2:] == ["pyyaml>=6.0.2", "mypy>=1.18"]
    assert groups["dev"] == [{"include-group": "template-dev"}, "pytest-cov>=5"]


# The dev tools as one list, before the template's got a group of their own.
ONE_DEV_LIST = """[dependency-groups]
dev = [
{%- for tool in versions.dev_tools %}
  "{{ tool }}",
{%- endfor %}
]
"""


def test_an_update_from_one_dev_list_says_how_to_move_the_maintainers_own_tools(tmp_path: Path) -> None:
    """The merge puts a tool the maintainer added to the one list into template-dev, silently."""
    template = template_clone(tmp_path)
    git(template, "tag", "-d", "v1.0.0")
    source = template / "template/pyproject.toml.jinja"
    grouped = source.read_text()
    start, end = grouped.index("[dependency-groups]"), grouped.index("[tool.uv.build-backend]")
    source.write_text(grouped[:start] + ONE_DEV_LIST + "\n" + grouped[end:])
    commit_everything(template, "build: one dev list")
    git(template, "tag", "v1.0.0")
    project = tmp_path / "project"
    render_from(template, project)
    marked = "pytest-timeout>=2 ; python_full_version >= '3.12'"  # uv writes markers in single quotes
    run(["uv", "add", "--quiet", "--dev", "--frozen", "six>=1.16", marked], project)
    commit_everything(project, "build: six and pytest-timeout")
    source.write_text(grouped)
    commit_everything(template, "build: the template's dev tools in a group of their own")
    git(template, "tag", "v1.0.1")

    result = attempt([COPIER, "update", "--trust", "--defaults"], project)

    assert result.returncode == 0, result.stdout + result.stderr
    [line] = report_lines(result.stdout, "dev")
    moves = "uv remove --group template-dev six && uv add --dev 'six>=1.16' && uv remove --group template-dev"
    moves += " pytest-timeout && uv add --dev 'pytest-timeout>=2 ; python_full_version >= '\"'\"'3.12'\"'\"''"
    assert line == (
        f"dev       template-dev lists six>=1.16, {marked}, which the template does not: move them to dev, where"
        f" updates leave them alone (`{moves}`)"
    )
    run(["bash", "-c", moves], project, {**os.environ, "UV_FROZEN": "1"})  # as pasted, without resolving
    groups = tomllib.loads((project / "pyproject.toml").read_text())["dependency-groups"]
    dev, template_dev = ({spec for spec in groups[name] if isinstance(spec, str)} for name in ("dev", "template-dev"))
    assert {"six>=1.16", marked} <= dev, groups
    assert not {"six>=1.16", marked} & template_dev, groups


def test_a_badge_the_maintainer_adds_survives_a_new_description(tmp_path: Path) -> None:
    """Badges go under the title, where the template's own stand between them and the line a new
    description changes."""
    _, project = _committed_copy(tmp_path)
    readme = project / "README.md"
    badge = "[![Coverage](https://img.shields.io/badge/coverage-98%25-green)](https://example.com)\n"
    readme.write_text(readme.read_text().replace("# Acme Widgets\n\n", "# Acme Widgets\n\n" + badge + "\n", 1))
    commit_everything(project, "docs: coverage badge")

    result = attempt([COPIER, "update", "--trust", "--defaults", "-d", "description=Widgets, renamed."], project)

    assert result.returncode == 0, result.stdout + result.stderr
    text = readme.read_text()
    assert text.startswith("# Acme Widgets\n\n" + badge + "\n[![Release]"), text
    assert "\n\nWidgets, renamed.\n" in text


def test_a_section_the_maintainer_adds_to_the_publishing_guide_survives_a_mode_switch(tmp_path: Path) -> None:
    """The guide's mode-dependent closing paragraph sits above fixed lines, not next to the end."""
    _, project = _committed_copy(tmp_path)
    guide = project / "docs/publishing.md"
    guide.write_text(guide.read_text() + "\n## Acme contacts\n\nAsk the release manager before publishing.\n")
    commit_everything(project, "docs: who to ask")

    result = attempt([COPIER, "update", "--trust", "--defaults", "-d", "publish_via=trusted-publishing"], project)

    assert result.returncode == 0, result.stdout + result.stderr
    text = guide.read_text()
    assert "<<<<<<<" not in text
    assert "`publish_via: trusted-publishing`" in text
    assert text.endswith("## Acme contacts\n\nAsk the release manager before publishing.\n")


def test_update_can_rename_the_project_and_keeps_the_recorded_names(tmp_path: Path) -> None:
    """Given on update, a new project_name derives nothing: package and module names are recorded."""
    _, project = _committed_copy(tmp_path)

    run([COPIER, "update", "--trust", "--defaults", "--quiet", "-d", "project_name=Été Widgets"], project)

    answers = (project / ".copier-answers.yml").read_text(encoding="utf-8")
    assert "project_name: Été Widgets" in answers
    assert "package_name: acme-widgets" in answers
    assert "module_name: acme_widgets" in answers


def test_an_update_that_changes_the_dependencies_brings_the_lock_along(tmp_path: Path) -> None:
    """Without the re-lock, `make test` still passes and CI's locked install fails."""
    template, project = _committed_copy(tmp_path, locked=True)
    release_template_edit(
        template, "includes/versions.jinja", '"pytest>=9.0"', '"pytest>=8.4"', "fix: accept pytest 8.4"
    )

    output = run([COPIER, "update", "--trust", "--defaults"], project)

    assert "uv.lock   re-locked for the updated pyproject.toml" in output
    assert 'specifier = ">=8.4"' in (project / "uv.lock").read_text()
    run(["uv", "lock", "--check"], project)
    assert {"pyproject.toml", "uv.lock"} <= set(git(project, "diff", "--name-only").split())


def test_a_relock_without_a_python_of_the_new_floor_says_it_needs_one(tmp_path: Path) -> None:
    _, project = _committed_copy(tmp_path, locked=True)
    # uv may use only its own Pythons, of which an empty folder holds none, and may download none.
    no_python = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_PYTHON_PREFERENCE": "only-managed",
                 "UV_PYTHON_INSTALL_DIR": str(tmp_path / "no-pythons")}  # fmt: skip

    output = run([COPIER, "update", "--trust", "--defaults", "-d", "python_min=3.12"], project, no_python)

    [relock] = report_lines(output, "uv.lock")
    assert relock.startswith("uv.lock   could not re-lock (")
    assert relock.endswith(
        "; uv needs a Python 3.12 or later (`uv python install 3.12`); run `make install` and commit uv.lock"
    )


def test_an_update_that_fails_its_checks_still_brings_the_lock_along(tmp_path: Path) -> None:
    """Resolving the conflict and committing must not leave CI's locked install to fail."""
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    render_from(template, project)
    run(["uv", "lock", "--quiet"], project)
    editorconfig = project / ".editorconfig"
    editorconfig.write_text(editorconfig.read_text().replace("indent_size = 4", "indent_size = 3"))
    commit_everything(project, "init")
    versions = template / "includes/versions.jinja"
    versions.write_text(versions.read_text().replace('"pytest>=9.0"', '"pytest>=8.4"'))
    template_editorconfig = template / "template/.editorconfig"
    template_editorconfig.write_text(template_editorconfig.read_text().replace("indent_size = 4", "indent_size = 8"))
    commit_everything(template, "fix: accept pytest 8.4, indent by eight")
    git(template, "tag", "v1.0.1")

    result = attempt([COPIER, "update", "--trust", "--defaults", "--conflict", "inline"], project)

    assert result.returncode != 0, "the conflict in .editorconfig fails the checks"
    assert "conflict markers in .editorconfig" in result.stdout
    assert "uv.lock   re-locked for the updated pyproject.toml" in result.stdout
    run(["uv", "lock", "--check"], project)


def test_a_conflict_inside_a_fenced_command_block_fails_the_update(tmp_path: Path) -> None:
    """Fenced examples of conflict markers pass the marker scan; a real conflict there must not."""
    template, project = _committed_copy(tmp_path)
    line = "make test      # run the tests\n"
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace(line, "make test      # run the unit tests\n"))
    commit_everything(project, "docs: name the unit tests")
    release_template_edit(template, "template/README.md.jinja", line, "make test      # run pytest\n", "docs: pytest")

    result = attempt([COPIER, "update", "--trust", "--defaults", "--conflict", "inline"], project)

    assert "<<<<<<< before updating" in readme.read_text(), "the conflict is in README.md's fenced block"
    assert result.returncode != 0, result.stdout
    assert "FAIL  no-conflicts      conflicts git holds unresolved in README.md" in result.stdout, result.stdout


def test_changed_answers_merge_beside_a_released_version(tmp_path: Path) -> None:
    """After releases the version lines differ from the template's 0.0.0; answers beside them must still merge."""
    _, project = _committed_copy(tmp_path)
    run(["scripts/set-version.sh", "1.4.0"], project)
    commit_everything(project, "chore(release): 1.4.0")
    # The maintainer's files, never rendered again: the rename reaches them by hand.
    for owned in ("src/acme_widgets/__init__.py", "tests/test_acme_widgets.py"):
        path = project / owned
        path.write_text(path.read_text().replace('"acme-widgets"', '"acme-gadgets"'))
    commit_everything(project, "refactor: read the version under the new name")
    changes = ["description=Widgets, renamed", "package_name=acme-gadgets", "author_name=B", "python_min=3.12"]

    output = run([COPIER, "update", "--trust", "--defaults", *(f"--data={change}" for change in changes)], project)

    assert "ok    no-conflicts" in output
    pyproject = (project / "pyproject.toml").read_text()
    assert 'version = "1.4.0"' in pyproject
    assert 'description = "Widgets, renamed"' in pyproject and 'name = "acme-gadgets"' in pyproject
    assert '"version": "1.4.0"' in (project / "package.json").read_text()
    assert "<<<<<<<" not in pyproject + (project / "package.json").read_text()
    assert report_lines(output, "commit") == [
        "commit    package_name, python_min, description, author_name changed in the package's metadata, which"
        " reaches PyPI with the next release: commit the update as `feat!: publish as acme-gadgets, require Python"
        " 3.12` (a major release: users of acme-widgets must switch names; Python 3.11 users keep the last one), not"
        " `chore:`, which releases nothing"
    ]


def test_ctrl_c_while_an_update_relocks_keeps_every_line_of_its_report(tmp_path: Path) -> None:
    """The lock is the slow step (a resolution over the network): it comes last."""
    _, project = _committed_copy(tmp_path, locked=True)
    slow = tmp_path / "slow-uv"
    slow.mkdir()
    started = tmp_path / "lock-started"
    (slow / "uv").write_text(f'#!/bin/sh\ntouch "{started}"\nsleep 30\nexec "{shutil.which("uv")}" "$@"\n')
    (slow / "uv").chmod(0o755)
    env = {**os.environ, "PATH": f"{slow}{os.pathsep}{os.environ['PATH']}"}

    update = subprocess.Popen(
        [COPIER, "update", "--trust", "--defaults", "-d", "description=Other widgets"], cwd=project, env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and update.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(update.pid, signal.SIGINT)  # what Ctrl-C sends: to Copier, the hook and uv
        output, errors = update.communicate(timeout=30)
    finally:
        if update.poll() is None:
            os.killpg(update.pid, signal.SIGKILL)
            update.wait()

    assert started.exists(), output + errors
    assert report_lines(output, "commit") == [
        "commit    description changed in the package's metadata, which reaches PyPI with the next release: commit"
        " the update as `fix: ...`, not `chore:`, which releases nothing"
    ], output + errors
    assert report_lines(output, "stopped") == [
        "stopped   interrupted during the update's report, after the checks passed: `make install` (it re-locks"
        " uv.lock) and read `git status` before committing"
    ], output + errors


def test_an_update_to_another_licence_brings_its_text(tmp_path: Path) -> None:
    """In a later year too: the copyright year is an answer, so the old text renders as it was."""
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    render_from(template, project, {**default_answers(), "copyright_year": "2019"})
    commit_everything(project, "init")

    output = run([COPIER, "update", "--trust", "--defaults", "-d", "license=Apache-2.0"], project)

    assert "licence Apache-2.0" in output, "the project-metadata check passed"
    assert "Apache License" in (project / "LICENSE").read_text()
    assert "Copyright 2019 A" in (project / "LICENSE").read_text()
    assert 'license = "Apache-2.0"' in (project / "pyproject.toml").read_text()


def test_a_recorded_answer_a_newer_rule_refuses_stops_the_update_with_its_name(tmp_path: Path) -> None:
    """Copier would drop the recorded module_name and render another module in its place."""
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    render_from(template, project)
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("module_name: acme_widgets", "module_name: json"))
    answers.write_text(answers.read_text() + "an_old_question: kept\n")  # a question of an older version
    commit_everything(project, "init")

    result = attempt([COPIER, "update", "--trust", "--defaults"], project)

    assert result.returncode != 0
    assert 'module_name must not be a standard-library module name ("import json"' in result.stderr
    assert '(got "json"; pass -d module_name=... to replace it)' in result.stderr
    assert "an_old_question" not in result.stderr, "recorded answers of older versions are no typo"
    assert "Traceback" not in result.stderr
    assert (project / "src/acme_widgets/__init__.py").is_file(), "nothing renamed"
    assert not git(project, "status", "--porcelain").strip(), "nothing changed"


def test_an_update_that_renames_the_module_says_how_to_move_the_code(tmp_path: Path) -> None:
    """Copier deletes the old module's rendered files, edited or not, and leaves its other files
    where the wheel no longer looks: the validator fails on those, and the hook names the move."""
    _, project = _committed_copy(tmp_path)
    init = project / "src/acme_widgets/__init__.py"
    init.write_text(init.read_text() + "\n\ndef widget() -> str:\n    return 'widget'\n")
    (project / "src/acme_widgets/util.py").write_text("HELPER = 1\n")
    test = project / "tests/test_acme_widgets.py"
    test.write_text(test.read_text() + "\n\ndef test_widget() -> None:\n    assert True\n")
    (project / "src/acme_widgets/__pycache__").mkdir()  # left by a test run, untracked
    commit_everything(project, "feat: widgets")

    result = attempt([COPIER, "update", "--trust", "--defaults", "-d", "module_name=acme_gadgets"], project)

    assert result.returncode != 0
    assert (
        "FAIL  package-layout    src/acme_widgets/util.py: not in the wheel, which builds acme_gadgets only"
        in result.stdout
    )
    removed = report_lines(result.stdout, "removed")[0]
    for path in ("src/acme_widgets/__init__.py", "src/acme_widgets/py.typed", "tests/test_acme_widgets.py"):
        assert path in removed
    assert "(the module line below keeps your edits)" in removed, "restored in place, they stay out of the wheel"
    module = report_lines(result.stdout, "module")[0]
    assert "module_name is now acme_gadgets (was acme_widgets)" in module
    move = re.search(r"\(`(.+?)`\)", module)
    assert move, module

    subprocess.run(move.group(1), shell=True, cwd=project, check=True, capture_output=True)

    assert "def widget()" in (project / "src/acme_gadgets/__init__.py").read_text()
    assert (project / "src/acme_gadgets/util.py").read_text() == "HELPER = 1\n"
    assert (project / "src/acme_gadgets/py.typed").is_file()
    assert "def test_widget()" in (project / "tests/test_acme_gadgets.py").read_text()
    assert not list((project / "src/acme_widgets").rglob("*.py"))
    validated = attempt([sys.executable, "scripts/validate_repo.py"], project)
    assert validated.returncode == 0, validated.stdout
    assert "package-layout    the wheel builds src/acme_gadgets" in validated.stdout


def test_an_update_refuses_a_recorded_pair_that_is_no_longer_allowed(tmp_path: Path) -> None:
    """Copier would drop the recorded publish_via silently and re-render another mode; the gate stops it."""
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    render_from(template, project)
    answers = project / ".copier-answers.yml"
    recorded = answers.read_text().replace("license: MIT", "license: Proprietary")
    answers.write_text(recorded.replace("publish_via: local-doppler", "publish_via: doppler-ci"))
    commit_everything(project, "init")
    before = git(project, "rev-parse", "HEAD:")

    result = attempt([COPIER, "update", "--trust", "--defaults", "--quiet"], project)

    assert result.returncode != 0
    assert "publish_via doppler-ci publishes to PyPI" in result.stderr
    assert "pass -d publish_via=local-doppler or -d license=..." in result.stderr
    assert "Traceback" not in result.stderr
    assert git(project, "status", "--porcelain") == "" and git(project, "rev-parse", "HEAD:") == before


@pytest.mark.parametrize("mode", ["local-doppler", "trusted-publishing"])
def test_an_update_to_a_new_release_branch_says_what_to_rename(tmp_path: Path, mode: str) -> None:
    """The workflows follow the answer at once; the git branch and GitHub's rules do not."""
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    render_from(template, project, {**default_answers(), "publish_via": mode})
    commit_everything(project, "init")

    output = run([COPIER, "update", "--trust", "--defaults", "-d", "release_branch=trunk"], project)

    branch = report_lines(output, "branch")
    assert len(branch) == 1, output
    assert "release_branch is now trunk (was main)" in branch[0]
    assert "`git branch -m main trunk && git push -u origin trunk`" in branch[0]
    assert "default branch on GitHub" in branch[0]
    assert "move to it the branch protection or rulesets that let the release push (docs/releasing.md)" in branch[0]
    environment = "the deployment branches of the environment pypi, which must allow trunk (docs/publishing.md)"
    assert (environment in branch[0]) is (mode != "local-doppler"), branch[0]
    assert 'branches: ["trunk"]' in (project / ".github/workflows/release.yml").read_text()
    assert report_lines(output, "commit") == [], "the package's metadata did not change"


def test_an_update_after_the_branch_was_renamed_leaves_out_the_rename(tmp_path: Path) -> None:
    """`git branch -m` would fail on a branch renamed already; the push and GitHub's setting remain."""
    _, project = _committed_copy(tmp_path)
    git(project, "branch", "-m", "trunk")

    output = run([COPIER, "update", "--trust", "--defaults", "-d", "release_branch=trunk"], project)

    branch = report_lines(output, "branch")
    assert len(branch) == 1, output
    assert "(`git push -u origin trunk`)" in branch[0]
    assert "git branch -m" not in output
    assert "default branch on GitHub" in branch[0]


def test_a_licence_change_to_and_from_proprietary_says_where_make_publish_now_uploads(tmp_path: Path) -> None:
    _, project = _committed_copy(tmp_path)

    private = run([COPIER, "update", "--trust", "--defaults", "-d", "license=Proprietary"], project)
    commit_everything(project, "build: proprietary")
    public = run([COPIER, "update", "--trust", "--defaults", "-d", "license=MIT"], project)
    commit_everything(project, "build: MIT again")
    other = run([COPIER, "update", "--trust", "--defaults", "-d", "license=Apache-2.0"], project)

    to_private = report_lines(private, "license")
    assert len(to_private) == 1, private
    assert "license is now Proprietary (was MIT): PyPI refuses the package" in to_private[0]
    assert "UV_PUBLISH_URL and UV_PUBLISH_CHECK_URL" in to_private[0]
    assert "PYPI_TOKEN in Doppler acme-widgets/dev must hold that index's token" in to_private[0]
    to_public = report_lines(public, "license")
    assert len(to_public) == 1, public
    assert "license is now MIT (was Proprietary): make publish uploads to PyPI" in to_public[0]
    assert "license is now" not in other, "MIT to Apache-2.0 changes nothing about publishing"
    assert [line.split(": commit the update as ")[-1] for line in report_lines(other, "commit")] == [
        "`fix: ...`, not `chore:`, which releases nothing"
    ]


def test_an_update_that_keeps_the_release_branch_says_nothing_about_it(tmp_path: Path) -> None:
    _, project = _committed_copy(tmp_path)

    output = run([COPIER, "update", "--trust", "--defaults", "-d", "description=Other widgets"], project)

    assert "ok    no-conflicts" in output
    assert "release_branch" not in output


@pytest.mark.parametrize(
    ("mode", "setup", "retire"),
    [
        (
            "trusted-publishing",
            "a trusted publisher on PyPI (acme/acme-widgets, workflow release.yml, environment pypi)",
            "Then retire: PYPI_TOKEN in Doppler (acme-widgets/dev); the PyPI token itself (revoke it on PyPI).",
        ),
        ("doppler-ci", "a Doppler service token for acme-widgets/dev as the secret DOPPLER_TOKEN", None),
    ],
    ids=["to-trusted-publishing", "to-doppler-ci"],
)
def test_an_update_to_a_new_publish_mode_names_its_setup_and_what_to_retire(
    tmp_path: Path, mode: str, setup: str, retire: str | None
) -> None:
    _, project = _committed_copy(tmp_path)

    output = run([COPIER, "update", "--trust", "--defaults", "-d", f"publish_via={mode}"], project)

    line = report_lines(output, "publish")[0]
    assert f"publish_via is now {mode} (was local-doppler). Set up once: {setup}" in line
    if retire:
        assert retire in line
    else:
        assert "retire" not in line, "the PyPI token stays in Doppler, where doppler-ci reads it"


@pytest.mark.parametrize(
    ("mode", "change", "expected"),
    [
        (
            "local-doppler",
            "doppler_config=prd",
            "the next publish reads PYPI_TOKEN in Doppler acme-widgets/prd (doppler_config changed): make"
            " doppler-setup (binds this folder to acme-widgets/prd), then store the PyPI token there (make token-set;"
            " it was PYPI_TOKEN in acme-widgets/dev)",
        ),
        (
            "doppler-ci",
            "doppler_config=prd",
            "store the PyPI token there (make token-set; it was PYPI_TOKEN in acme-widgets/dev), and replace the"
            " secret DOPPLER_TOKEN with a service token for acme-widgets/prd",
        ),
        (
            "token-secret",
            "pypi_token_secret=PYPI_API_TOKEN",
            "the next publish reads the GitHub secret PYPI_API_TOKEN (pypi_token_secret changed): add the PyPI token"
            " as the secret PYPI_API_TOKEN of the GitHub environment pypi, then delete PYPI_TOKEN",
        ),
    ],
    ids=["local-doppler-config", "doppler-ci-config", "token-secret-name"],
)
def test_an_update_that_moves_the_token_says_what_to_store_where(
    tmp_path: Path, mode: str, change: str, expected: str
) -> None:
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    render_from(template, project, {**default_answers(), "publish_via": mode})
    commit_everything(project, "init")

    output = run([COPIER, "update", "--trust", "--defaults", "-d", change], project)

    line = report_lines(output, "token")[0]
    assert expected in line, line


def test_an_update_that_keeps_the_token_in_place_says_nothing_about_it(tmp_path: Path) -> None:
    _, project = _committed_copy(tmp_path)

    output = run([COPIER, "update", "--trust", "--defaults", "-d", "description=Other widgets"], project)

    assert "the next publish reads" not in output


def test_targets_of_your_own_at_the_end_of_the_makefile_survive_a_change_of_publish_mode(tmp_path: Path) -> None:
    """The end of the Makefile is where maintainers add targets; the template's last block changes with the mode."""
    _, project = _committed_copy(tmp_path)
    makefile = project / "Makefile"
    own = "\n.PHONY: docs\ndocs: ## Build the documentation\n\tuv run mkdocs build\n"
    makefile.write_text(makefile.read_text() + own)
    commit_everything(project, "build: a docs target")

    run([COPIER, "update", "--trust", "--defaults", "-d", "publish_via=trusted-publishing"], project)

    text = makefile.read_text()
    assert not re.search(r"^(<<<<<<<|=======|>>>>>>>)", text, re.MULTILINE), text[-1500:]
    assert text.endswith(own)
    assert "token-set:" not in text
    assert "publish-ci:" in text


def test_an_update_to_a_new_package_name_fails_until_the_version_lookups_follow(tmp_path: Path) -> None:
    """__init__.py and the smoke test are the maintainer's (never rewritten), and read the version by name."""
    _, project = _committed_copy(tmp_path)

    result = attempt([COPIER, "update", "--trust", "--defaults", "-d", "package_name=acme-gadgets"], project)

    assert result.returncode != 0
    stale = 'src/acme_widgets/__init__.py reads version("acme-widgets"); tests/test_acme_widgets.py reads'
    assert stale in result.stdout
    assert "but package_name is acme-gadgets: put acme-gadgets there" in result.stdout
    for owned in ("src/acme_widgets/__init__.py", "tests/test_acme_widgets.py"):
        path = project / owned
        path.write_text(path.read_text().replace('"acme-widgets"', '"acme-gadgets"'))
    validated = attempt([sys.executable, "scripts/validate_repo.py"], project)
    assert validated.returncode == 0, validated.stdout


def test_an_update_of_module_and_mode_offers_each_removed_file_its_own_way_back(tmp_path: Path) -> None:
    _, project = _committed_copy(tmp_path)

    result = attempt(
        [COPIER, "update", "--trust", "--defaults", "-d", "module_name=acme_gadgets", "-d", "publish_via=token-secret"],
        project,
    )

    removed = report_lines(result.stdout, "removed")
    module_line = next(line for line in removed if "src/acme_widgets/__init__.py" in line)
    mode_line = next(line for line in removed if "doppler.yaml" in line)
    assert module_line.endswith("(the module line below keeps your edits)")
    assert "doppler.yaml" not in module_line
    assert mode_line.endswith("(`git checkout HEAD -- PATH` restores one)")
    assert "src/acme_widgets" not in mode_line


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (
            "local-doppler",
            "a token scoped to acme-widgets cannot create acme-gadgets: put a token for the whole PyPI account in"
            " PYPI_TOKEN in Doppler acme-widgets/dev (make token-set) for the first release of acme-gadgets",
        ),
        ("token-secret", "put a token for the whole PyPI account in the GitHub secret PYPI_TOKEN"),
        (
            "trusted-publishing",
            "add a pending trusted publisher for acme-gadgets on PyPI (acme/acme-widgets, workflow release.yml,"
            " environment pypi): the one for acme-widgets does not cover it",
        ),
    ],
)
def test_an_update_to_a_new_package_name_says_what_its_first_publish_needs(
    tmp_path: Path, mode: str, expected: str
) -> None:
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    render_from(template, project, {**default_answers(), "publish_via": mode})
    commit_everything(project, "init")

    result = attempt([COPIER, "update", "--trust", "--defaults", "-d", "package_name=acme-gadgets"], project)

    line = report_lines(result.stdout, "package")[0]
    assert "package_name is now acme-gadgets (was acme-widgets): PyPI takes it as a new project; " in line
    assert expected in line, line
    assert report_lines(result.stdout, "commit") == [
        "commit    package_name changed in the package's metadata, which reaches PyPI with the next release: commit"
        " the update as `feat!: publish as acme-gadgets` (a major release: users of acme-widgets must switch names),"
        " not `chore:`, which releases nothing"
    ]


def test_an_update_to_a_private_package_published_locally_names_the_index_variables(tmp_path: Path) -> None:
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    render_from(template, project, {**default_answers(), "publish_via": "trusted-publishing"})
    commit_everything(project, "init")

    output = run(
        [COPIER, "update", "--trust", "--defaults", "-d", "license=Proprietary", "-d", "publish_via=local-doppler"],
        project,
    )

    line = report_lines(output, "publish")[0]
    assert "then make publish after each release with UV_PUBLISH_URL and UV_PUBLISH_CHECK_URL set" in line
    assert "make doppler-setup and `UV_PUBLISH_URL=<upload URL> make token-set` (your index's token" in line
    [commit] = report_lines(output, "commit")
    assert "changed in the package's metadata, which reaches your index with the next release" in commit, commit
