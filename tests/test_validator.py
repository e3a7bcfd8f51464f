"""The generated repo's validator: each check catches its own kind of breakage, and only it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.rendering import PUBLISH_MODES, Rendered
from tools.render import REPO_ROOT

CHECKS = [
    "no-conflicts",
    "files-parse",
    "release-config",
    "project-metadata",
    "package-layout",
    "versions-agree",
    "doppler-yaml",
    "scripts",
    "workflows",
    "no-jinja",
]
CHECK_LINE = re.compile(r"^  (ok  |FAIL|skip)  (\S+)\s+(.*)$", re.MULTILINE)


def validate(repo: Path) -> tuple[int, dict[str, tuple[str, str]]]:
    """Run the repo's own validator; exit code and {check: (mark, reason)}."""
    result = subprocess.run(
        [sys.executable, "scripts/validate_repo.py"], cwd=repo, capture_output=True, text=True, check=False
    )
    lines = {name: (mark.strip(), reason) for mark, name, reason in CHECK_LINE.findall(result.stdout)}
    assert list(lines) == CHECKS, result.stdout + result.stderr
    return result.returncode, lines


@pytest.fixture
def repo(rendered_default: Rendered, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(rendered_default.path, copy, symlinks=True)
    return copy


def test_a_fresh_render_passes_every_check(repo: Path) -> None:
    code, lines = validate(repo)
    assert code == 0
    assert {mark for mark, _ in lines.values()} == {"ok"}


def test_the_readme_shows_what_a_fresh_render_prints(repo: Path) -> None:
    """The README's sample checklist is the real one (a line ending in "..." is shortened)."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    sample = {name: (mark.strip(), reason) for mark, name, reason in CHECK_LINE.findall(readme)}

    _, lines = validate(repo)

    assert list(sample) == CHECKS
    for name, (mark, reason) in sample.items():
        real_mark, real_reason = lines[name]
        assert mark == real_mark
        assert real_reason.startswith(reason.removesuffix("...")) if reason.endswith("...") else real_reason == reason


def edit_json(path: Path, change: Callable[[dict], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2) + "\n")


def git_plugin_first(config: dict) -> None:
    plugins = config["plugins"]
    git = next(p for p in plugins if p[0] == "@semantic-release/git")
    plugins.remove(git)
    plugins.insert(0, git)


def drop_uv_lock_from_assets(config: dict) -> None:
    dict(config["plugins"])["@semantic-release/git"]["assets"].remove("uv.lock")


def replace_in(relpath: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        path = repo / relpath
        assert old in path.read_text(), f"{old!r} not in {relpath}"
        path.write_text(path.read_text().replace(old, new, 1))

    return apply


def write(relpath: str, content: str) -> Callable[[Path], None]:
    return lambda repo: (repo / relpath).write_text(content)


def write_new(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)


CONFLICT = "<<<<<<< before updating\nUV ?= uv\n=======\nUV ?= uvx\n>>>>>>> after updating\n"
CORRUPTIONS = {
    "a YAML file that does not parse": (replace_in("doppler.yaml", "setup:", "setup: [unclosed"), "files-parse",
                                        "doppler.yaml does not parse"),
    "git plugin before the version step": (lambda r: edit_json(r / ".releaserc.json", git_plugin_first),
                                           "release-config", "runs @semantic-release/git before the version step"),
    "uv.lock left out of the release commit": (lambda r: edit_json(r / ".releaserc.json", drop_uv_lock_from_assets),
                                               "release-config", "the release commit would leave out uv.lock"),
    "pyproject name differs from the answers": (replace_in("pyproject.toml", 'name = "acme-widgets"', 'name = "other"'),
                                                "project-metadata", "name is 'other', answers say 'acme-widgets'"),
    "requires-python differs from the answers": (replace_in("pyproject.toml", '">=3.11"', '">=3.12"'),
                                                 "project-metadata", "requires-python is '>=3.12'"),
    "package.json at another version": (replace_in("package.json", '"version": "0.0.0"', '"version": "9.9.9"'),
                                        "versions-agree", "package.json 9.9.9"),
    "a stray .doppler.yaml": (write(".doppler.yaml", "setup:\n  project: x\n  config: dev\n"), "doppler-yaml",
                              ".doppler.yaml is never read by the Doppler CLI"),
    "doppler.yaml names another project": (replace_in("doppler.yaml", "project: acme-widgets", "project: other"),
                                           "doppler-yaml", "names other/dev, answers say acme-widgets/dev"),
    "a script that is not executable": (lambda r: (r / "scripts/release-outputs.sh").chmod(0o644), "scripts",
                                        "not executable: release-outputs.sh"),
    "a shell syntax error": (replace_in("scripts/pypi-token.sh", "read_doppler_yaml() {", "f() { fi"),
                             "scripts", "bash -n scripts/pypi-token.sh"),
    "a workflow calling a missing target": (replace_in(".github/workflows/ci.yml", "make test", "make deploy"),
                                            "workflows", "workflows call what does not exist: deploy"),
    "unrendered Jinja": (replace_in("README.md", "# Acme Widgets", "# {{ project_name }}"), "no-jinja",
                         "unrendered Jinja in README.md"),
    "conflict markers from an update": (replace_in("Makefile", "UV ?= uv\n", CONFLICT),
                                        "no-conflicts", "conflict markers in Makefile"),
    "a .rej file from an update": (write("Makefile.rej", "@@ -1 +1 @@\n"), "no-conflicts",
                                   "your own changes to the new template version: they are in Makefile.rej"),
    "code outside the built module": (lambda r: write_new(r / "src/acme_old/util.py", "X = 1\n"), "package-layout",
                                      "src/acme_old/util.py: not in the wheel, which builds acme_widgets only"),
    "the version read under another package name": (replace_in("src/acme_widgets/__init__.py", '"acme-widgets"',
                                                                '"acme-old"'), "package-layout",
                                                     'src/acme_widgets/__init__.py reads version("acme-old"), but'
                                                     " package_name is acme-widgets: put acme-widgets there"),
    "module-name differs from the answers": (replace_in("pyproject.toml", 'module-name = "acme_widgets"',
                                                        'module-name = "other"'),
                                             "package-layout", "module-name is 'other', answers say 'acme_widgets'"),
    "the LICENSE text of another licence": (replace_in("LICENSE", "Permission is hereby granted", "Granted"),
                                            "project-metadata", "LICENSE is not the MIT text: change the answer"),
    "a script the Makefile runs is gone": (lambda r: (r / "scripts/release-preview.mjs").unlink(), "scripts",
                                           "missing: scripts/release-preview.mjs"),
    "the reusable workflow the release calls is gone": (lambda r: (r / ".github/workflows/ci.yml").rename(
                                                            r / ".github/workflows/tests.yml"),
                                                        "workflows", "does not exist: .github/workflows/ci.yml"),
    "a make call inside an if": (replace_in(".github/workflows/ci.yml", "run: make test",
                                            "run: if true; then env CI=1 make deploy; fi"),
                                 "workflows", "workflows call what does not exist: deploy"),
    "a make call as an if condition": (replace_in(".github/workflows/ci.yml", "run: make test",
                                                  "run: if ! make deploy; then exit 1; fi"),
                                       "workflows", "workflows call what does not exist: deploy"),
    "package.json's release key shadows .releaserc.json": (lambda r: edit_json(r / "package.json", lambda c: c.update(
                                                               release={"branches": ["main"]})),
                                                           "release-config", 'package.json\'s "release" key instead'),
    "CHANGELOG written after the release commit": (lambda r: edit_json(r / ".releaserc.json", changelog_last),
                                                   "release-config", "before @semantic-release/changelog"),
    "releases from another branch": (lambda r: edit_json(r / ".releaserc.json", lambda c: c.update(
                                         branches=["trunk"])),
                                     "release-config", "releases from trunk, but the release workflow runs on main"),
    "conflict markers without a label": (replace_in("Makefile", "UV ?= uv\n", "<<<<<<<\nUV ?= uv\n=======\n"
                                                                          "UV ?= uvx\n>>>>>>>\n"),
                                         "no-conflicts", "conflict markers in Makefile"),
    "a version read through importlib.metadata under another name": (
        replace_in("src/acme_widgets/__init__.py", '__version__ = version("acme-widgets")',
                   '__version__ = importlib.metadata.version("acme-old")'),
        "package-layout", 'reads version("acme-old")'),
    "the README the build reads is gone": (lambda r: (r / "README.md").unlink(), "project-metadata",
                                           "readme README.md is missing"),
    "doppler.yaml in a form the scripts cannot read": (write("doppler.yaml", "setup: {project: acme-widgets,"
                                                             " config: dev}\n"),
                                                       "doppler-yaml", "the scripts would read doppler.yaml as"),
    "the release workflow is gone": (lambda r: (r / ".github/workflows/release.yml").unlink(), "workflows",
                                     ".github/workflows/release.yml is missing: every release runs there"),
    "PEP 621's older licence table beside license-files": (replace_in("pyproject.toml", 'license = "MIT"',
                                                                      'license = { text = "MIT" }'),
                                                           "project-metadata", "license-files needs license as an"
                                                                               " SPDX expression string"),
    "a licence file that PEP 621's older table names is gone": (
        replace_in("pyproject.toml", 'license = "MIT"\nlicense-files = ["LICENSE"]', 'license = { file = "COPYING" }'),
        "project-metadata", "license file COPYING is missing: the build needs it"),
    "another licence in PEP 621's older table": (replace_in("pyproject.toml", 'license = "MIT"',
                                                            'license = { text = "Apache-2.0" }'),
                                                 "project-metadata", "answers say 'MIT'"),
    "a shareable configuration, and its own plugins out of order": (
        lambda r: edit_json(r / ".releaserc.json", lambda c: (c.update(extends="@acme/release"), git_plugin_first(c))),
        "release-config", "runs @semantic-release/git before the version step"),
}  # fmt: skip


def changelog_last(config: dict) -> None:
    plugins = config["plugins"]
    changelog = next(p for p in plugins if p[0] == "@semantic-release/changelog")
    plugins.remove(changelog)
    plugins.append(changelog)


@pytest.mark.parametrize(("corrupt", "check", "message"), CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_each_check_fails_alone_with_its_message(repo: Path, corrupt, check: str, message: str) -> None:
    corrupt(repo)

    code, lines = validate(repo)

    assert code == 1
    failed = {name: reason for name, (mark, reason) in lines.items() if mark == "FAIL"}
    assert list(failed) == [check], lines
    assert message in failed[check]


def test_the_package_may_read_the_version_of_another_distribution(repo: Path) -> None:
    init = repo / "src/acme_widgets/__init__.py"
    init.write_text(init.read_text() + '\nPLUGIN_API = version("acme-plugins")\n')

    code, lines = validate(repo)

    assert code == 0, lines
    assert lines["package-layout"][0] == "ok"


def test_a_file_that_does_not_parse_is_one_failure_and_the_checks_that_need_it_wait(repo: Path) -> None:
    replace_in("package.json", '"version"', '"version" "')(repo)

    code, lines = validate(repo)

    assert code == 1
    assert lines["files-parse"][0] == "FAIL" and "package.json does not parse" in lines["files-parse"][1]
    for waiting in ("versions-agree", "release-config"):  # release-config reads its "release" key
        mark, reason = lines[waiting]
        assert mark == "skip" and reason.startswith("not checked: package.json does not parse: ")
    passed = {name for name, (mark, _) in lines.items() if mark == "ok"}
    assert passed == set(CHECKS) - {"files-parse", "versions-agree", "release-config"}


MAINTAINERS_OWN_FILES = {
    # str.format and f-string escapes, and a Jinja template shipped as package data
    "src/acme_widgets/render.py": '"""Render a greeting."""\n\nTEMPLATE = "Dear {{name}},"\n',
    "src/acme_widgets/templates/page.html": "<h1>{{ title }}</h1>\n",
    # VS Code's JSON with comments (gitignored), and mkdocs-material's python tags
    ".vscode/settings.json": '{\n  // the project venv\n  "python.defaultInterpreterPath": ".venv/bin/python"\n}\n',
    "mkdocs.yml": "site_name: Acme\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
    "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
    # a how-to that shows conflict markers, a sourced helper that need not be executable
    "docs/git-tips.md": "```\n<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n```\n",
    "scripts/common.sh": 'say() { echo "$1"; }\n',
    # another tool's virtualenv
    ".tox/py311/lib/jinja2/METADATA": "Example: {{ name }}\n",
}


def second_exec_and_glob_assets(config: dict) -> None:
    plugins = config["plugins"]
    git = next(p for p in plugins if p[0] == "@semantic-release/git")
    git[1]["assets"] = ["pyproject.toml", "uv.lock", "package*.json", {"path": "CHANGELOG.md"}]
    plugins.insert(plugins.index(git), ["@semantic-release/exec", {"successCmd": "echo released"}])


def ignored_by_git(repo: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    write_new(repo / "htmlcov/patch.rej", "@@ -1 +1 @@\n")
    write_new(repo / ".idea/cache/.doppler.yaml", "setup: {}\n")


def included_pattern_and_underscore_targets(repo: Path) -> None:
    (repo / "extra.mk").write_text("docs_html:\n\techo docs\n")
    makefile = repo / "Makefile"
    makefile.write_text(makefile.read_text() + "\ninclude extra.mk\ncheck-%:\n\techo $*\n")
    replace_in(".github/workflows/ci.yml", "run: make test", "run: make docs_html check-types test")(repo)


CUSTOMISATIONS = {
    "a Jinja example in the README": lambda r: (r / "README.md").write_text(
        (r / "README.md").read_text() + "\n```jinja\n{{ name }} {% if x %}{% endif %} {% raw %}\n```\n"),
    "a Go template and a make with options, variables and redirections in a workflow": replace_in(
        ".github/workflows/ci.yml", "run: make test",
        "run: make -j2 test PYTEST_ADDOPTS=\"-x -q\" 2>&1 | tee test.log; gh release list --template '{{.Name}}'"),
    "a GitHub expression over several lines": replace_in(".github/workflows/ci.yml", "run: make test",
                                                         "run: >-\n          echo ${{ github.ref ==\n"
                                                         "          'x' }}; make test"),
    "targets from an include, a pattern rule and an underscore name": included_pattern_and_underscore_targets,
    ".rej and .doppler.yaml files git ignores": ignored_by_git,
    "requires-python with an upper bound": replace_in("pyproject.toml", '">=3.11"', '">=3.11,<4"'),
    "the name in another PEP 503 spelling": replace_in("pyproject.toml", 'name = "acme-widgets"',
                                                       'name = "Acme_Widgets"'),
    "a compound licence expression": replace_in("pyproject.toml", 'license = "MIT"', 'license = "MIT OR Apache-2.0"'),
    "the licence in LICENSE.txt": lambda r: ((r / "LICENSE").rename(r / "LICENSE.txt"), replace_in(
        "pyproject.toml", 'license-files = ["LICENSE"]', 'license-files = ["LICENSE.txt"]')(r)),
    "uv_build without its own table": replace_in("pyproject.toml",
                                                 '[tool.uv.build-backend]\nmodule-name = "acme_widgets"\n', ""),
    "hatchling as the build backend": replace_in("pyproject.toml", 'build-backend = "uv_build"',
                                                 'build-backend = "hatchling.build"'),
    "a second exec entry and glob assets": lambda r: edit_json(r / ".releaserc.json", second_exec_and_glob_assets),
    "conflict markers shown in a fenced example": lambda r: (r / "docs/releasing.md").write_text(
        (r / "docs/releasing.md").read_text() + "\n```\n<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n```\n"),
    "build output and notebook checkpoints under src": lambda r: (
        write_new(r / "src/build/lib/acme_widgets/__init__.py", ""),
        write_new(r / "src/.ipynb_checkpoints/scratch-checkpoint.py", "")),
    "the licence in PEP 621's older {text} table": replace_in(
        "pyproject.toml", 'license = "MIT"\nlicense-files = ["LICENSE"]', 'license = { text = "MIT" }'),
    "the licence in PEP 621's older {file} table": lambda r: ((r / "LICENSE").rename(r / "COPYING"), replace_in(
        "pyproject.toml", 'license = "MIT"\nlicense-files = ["LICENSE"]', 'license = { file = "COPYING" }')(r)),
    "the release plugins and branches from a shareable configuration": lambda r: edit_json(
        r / ".releaserc.json", lambda c: (c.pop("plugins"), c.pop("branches"), c.update(extends="@acme/release"))),
}  # fmt: skip


@pytest.mark.parametrize("customise", CUSTOMISATIONS.values(), ids=CUSTOMISATIONS.keys())
def test_a_maintainers_customisation_passes(repo: Path, customise) -> None:
    customise(repo)

    code, lines = validate(repo)

    assert code == 0, lines


def test_a_missing_licence_file_is_named_without_blaming_the_licence_text(repo: Path) -> None:
    replace_in("pyproject.toml", 'license = "MIT"\nlicense-files = ["LICENSE"]', 'license = { file = "COPYING" }')(repo)

    _, lines = validate(repo)

    assert lines["project-metadata"] == ("FAIL", "pyproject.toml [project]: license file COPYING is missing: the"
                                                 " build needs it")  # fmt: skip


def test_a_file_name_that_is_not_utf8_is_shown_not_a_crash(repo: Path) -> None:
    (repo / os.fsdecode(b"src/caf\xe9.py")).write_text("X = 1\n")  # outside the module: named
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}  # strict, as on a UTF-8 desktop

    result = subprocess.run(
        [sys.executable, "scripts/validate_repo.py"], cwd=repo, capture_output=True, text=True, env=env, check=False
    )

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    failed = [line for line in result.stdout.splitlines() if "FAIL  package-layout" in line]
    assert failed and "src/caf" in failed[0] and ".py: not in the wheel" in failed[0], result.stdout


def test_a_rej_file_counts_even_where_gitignore_hides_rej_files(repo: Path) -> None:
    """Copier leaves .rej files beside the files it updates: a *.rej ignore line must not hide one."""
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / ".gitignore").write_text((repo / ".gitignore").read_text() + "*.rej\n")
    (repo / "Makefile.rej").write_text("@@ -1 +1 @@\n")

    _, lines = validate(repo)

    mark, reason = lines["no-conflicts"]
    assert mark == "FAIL" and "they are in Makefile.rej" in reason


@pytest.mark.parametrize(
    ("breakage", "check", "message"),
    [
        (write("doppler.yaml", "- a list\n"), "doppler-yaml", "doppler.yaml must be a mapping with a setup"),
        (write("doppler.yaml", "setup: text\n"), "doppler-yaml", "doppler.yaml names None/None"),
        (replace_in("pyproject.toml", 'version = "0.0.0"', 'dynamic = ["version"]'), "versions-agree",
         "pyproject.toml has no [project] version"),
        (write("scripts/set-version.sh", "exit 3\n"), "release-config", "scripts/set-version.sh --files failed"),
    ],
    ids=["doppler.yaml a list", "setup a string", "a dynamic version", "a broken set-version.sh"],
)  # fmt: skip
def test_a_file_of_the_wrong_shape_gets_a_sentence_not_an_exception(repo: Path, breakage, check, message) -> None:
    breakage(repo)

    _, lines = validate(repo)

    mark, reason = lines[check]
    assert mark == "FAIL" and message in reason, lines
    assert not any("could not run" in reason for _, reason in lines.values()), lines


def test_answers_that_are_not_a_mapping_make_the_checks_wait_not_crash(repo: Path) -> None:
    (repo / ".copier-answers.yml").write_text("- a\n- b\n")

    code, lines = validate(repo)

    assert code == 1
    waiting = {name for name, (mark, reason) in lines.items() if mark == "skip"}
    assert waiting and all("not a mapping of answers" in lines[name][1] for name in waiting), lines
    assert not any("could not run" in reason for _, reason in lines.values()), lines


def test_a_missing_file_is_named_with_the_way_back(repo: Path) -> None:
    (repo / "scripts/set-version.sh").unlink()

    _, lines = validate(repo)

    mark, reason = lines["scripts"]
    assert mark == "FAIL" and "missing: scripts/set-version.sh" in reason
    assert "git checkout HEAD -- scripts/set-version.sh" in reason


def test_the_maintainers_own_files_are_not_the_validators_business(repo: Path) -> None:
    """The checks cover what the template renders; code, docs and settings added later are the maintainer's."""
    for relpath, content in MAINTAINERS_OWN_FILES.items():
        (repo / relpath).parent.mkdir(parents=True, exist_ok=True)
        (repo / relpath).write_text(content)

    code, lines = validate(repo)

    assert code == 0, lines
    assert lines["files-parse"] == ("ok", "9 JSON, TOML and YAML files parse")
    assert lines["scripts"] == ("ok", "5 scripts executable, 4 pass bash -n")


@pytest.mark.parametrize("mode", PUBLISH_MODES)
def test_the_validators_list_of_rendered_files_is_a_real_render(render, mode: str) -> None:
    rendered = render(publish_via=mode)
    probe = (
        "import json, sys; sys.path.insert(0, 'scripts'); import validate_repo as v; from pathlib import Path; "
        "print(json.dumps([str(p.relative_to(Path.cwd())) for p in v.rendered(Path.cwd())]))"
    )
    listed = json.loads(subprocess.run(
        [sys.executable, "-c", probe], cwd=rendered.path, capture_output=True, text=True, check=True
    ).stdout)  # fmt: skip

    assert sorted(listed) == rendered.files()


def test_every_check_is_exercised() -> None:
    assert {check for _, check, _ in CORRUPTIONS.values()} == set(CHECKS)


def _validate_without(repo: Path, *modules: str) -> subprocess.CompletedProcess[str]:
    """The validator under an interpreter where `modules` cannot be imported (as on Python 3.10)."""
    blocked = "".join(f"sys.modules[{m!r}] = None; " for m in modules)
    run = "runpy.run_path('scripts/validate_repo.py', run_name='__main__')"
    code = f"import runpy, sys; {blocked}sys.argv = ['validate_repo.py']; {run}"
    return subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=False)


def test_without_tomllib_it_reads_toml_with_tomlkit(repo: Path) -> None:
    result = _validate_without(repo, "tomllib")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "validate: 10 passed, 0 failed" in result.stdout
    assert "acme-widgets 0.0.0, requires-python >=3.11" in result.stdout


def test_without_tomllib_or_tomlkit_it_says_how_to_fix_it(repo: Path) -> None:
    result = _validate_without(repo, "tomllib", "tomlkit")

    assert result.returncode == 1
    assert "the Python module 'tomlkit' is missing" in result.stderr
    assert "uv tool install --force copier --with tomlkit" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_module_says_how_to_fix_it(repo: Path, tmp_path: Path) -> None:
    """Under an interpreter without PyYAML (or tomlkit, on Python 3.10), a message, no traceback."""
    bare = tmp_path / "bare-venv"
    subprocess.run(["uv", "venv", "--quiet", str(bare)], check=True)

    result = subprocess.run(
        [str(bare / "bin/python"), "scripts/validate_repo.py"], cwd=repo, capture_output=True, text=True, check=False
    )

    assert result.returncode == 1
    assert "the Python module 'yaml' is missing" in result.stderr
    assert "uv tool install --force copier --with tomlkit" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_second_module_the_wheel_builds_is_not_left_out(repo: Path) -> None:
    """uv_build takes a list of modules, dotted for a namespace package's: those files are in the wheel."""
    replace_in("pyproject.toml", 'module-name = "acme_widgets"', 'module-name = ["acme_widgets", "acme.plugins"]')(repo)
    write_new(repo / "src/acme/plugins/__init__.py", "PLUGINS = []\n")

    code, lines = validate(repo)

    assert code == 0, lines
    assert lines["package-layout"] == ("ok", "the wheel builds src/acme_widgets, src/acme/plugins")
