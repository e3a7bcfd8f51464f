"""Facts that must agree across files, checked on real renders."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.rendering import (
    PUBLISH_MODES,
    Rendered,
    answer_rules_table,
    copier_jinja,
    every_answer,
    fill_rule,
    makefile_targets,
    workflow_steps,
)
from tools.render import REPO_ROOT

COPIER_YML = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
QUESTIONS = [name for name in COPIER_YML if not name.startswith("_") and name != "answers_check"]
# `make a b` in backticks, or at the start of a line (code blocks, workflow `run:` lines).
MAKE_MENTION = re.compile(r"(?:`|^\s*(?:- run: )?)make ((?:[a-z][a-z0-9-]*[ `]?)+)", re.MULTILINE)
TEMPLATE_REPO_SECTIONS = ("", "Developing the template")


def _mentioned_targets(text: str) -> set[str]:
    return {target.strip("`") for group in MAKE_MENTION.findall(text) for target in group.split()}


def _readme_sections() -> dict[str, str]:
    """The template README split at its `## ` headings; the part before the first is ''."""
    parts = re.split(r"^## (.+)$", (REPO_ROOT / "README.md").read_text(), flags=re.MULTILINE)
    return {"": parts[0], **dict(zip(parts[1::2], parts[2::2], strict=True))}


def _supported(python_min: str) -> list[str]:
    versions = COPIER_YML["python_min"]["choices"]
    return versions[versions.index(python_min) :]


@pytest.mark.parametrize("python_min", COPIER_YML["python_min"]["choices"])
def test_python_versions_agree(render, python_min: str) -> None:
    rendered = render(python_min=python_min)
    project = rendered.toml()["project"]
    classifiers = [
        c.rsplit(" :: ", 1)[1]
        for c in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    matrix = rendered.yaml(".github/workflows/ci.yml")["jobs"]["test"]["strategy"]["matrix"]

    assert project["requires-python"] == f">={python_min}"
    assert classifiers == _supported(python_min)
    assert matrix["python-version"] == _supported(python_min)


def test_every_make_target_a_workflow_calls_exists(rendered_default: Rendered) -> None:
    targets = makefile_targets(rendered_default.path / "Makefile")
    for workflow in (rendered_default.path / ".github/workflows").glob("*.yml"):
        called = {t for step in workflow_steps(workflow) for t in _mentioned_targets(step.get("run", ""))}
        assert called, f"{workflow.name} calls no make target"
        assert called <= targets, f"{workflow.name} calls missing targets {called - targets}"


@pytest.mark.parametrize("mode", PUBLISH_MODES)
def test_every_make_target_the_generated_docs_mention_exists(render, mode: str) -> None:
    rendered = render(publish_via=mode)
    targets = makefile_targets(rendered.path / "Makefile")
    for doc in ("README.md", "docs/publishing.md", "docs/releasing.md"):
        mentioned = _mentioned_targets(rendered.text(doc))
        assert mentioned <= targets, f"{doc} mentions missing targets {mentioned - targets}"


def test_every_make_target_the_readme_mentions_exists(render, rendered_default: Rendered) -> None:
    """Targets in the set-up and developer sections exist here; the rest in a generated repo of some mode."""
    sections = _readme_sections()
    mentioned = {name: _mentioned_targets(text) for name, text in sections.items()}
    ours = set().union(*(targets for name, targets in mentioned.items() if name in TEMPLATE_REPO_SECTIONS))
    generated = set().union(*(targets for name, targets in mentioned.items() if name not in TEMPLATE_REPO_SECTIONS))

    assert {"demo", "test", "test-fast", "bench", "new"} <= ours
    assert ours <= makefile_targets(REPO_ROOT / "Makefile")
    assert {"install", "test", "lint", "format", "build", "clean"} <= generated
    ci_targets = makefile_targets(render(publish_via="token-secret").path / "Makefile")
    assert generated <= makefile_targets(rendered_default.path / "Makefile") | ci_targets


def test_every_generated_make_target_has_a_help_line(rendered_default: Rendered) -> None:
    makefile = rendered_default.text("Makefile")
    documented = set(re.findall(r"^([a-zA-Z0-9_-]+):.*## ", makefile, re.MULTILINE))
    assert documented == makefile_targets(rendered_default.path / "Makefile")
    assert {"help", "install", "test", "lint", "format", "build", "clean"} <= documented


def test_editorconfig_gives_the_scripts_the_indent_they_use(rendered_default: Rendered) -> None:
    """An editor that follows .editorconfig indents new lines as the rendered files already are."""
    sections = re.findall(r"^\[(.+)\]\n((?:[^\[\n].*\n?)*)", rendered_default.text(".editorconfig"), re.MULTILINE)
    sizes: dict[str, int] = {}
    for pattern, body in sections:
        size = re.search(r"^indent_size = (\d+)", body, re.MULTILINE)
        extensions = re.fullmatch(r"\*\.\{(.+)\}|\*\.(\w+)|(\*)", pattern)
        if size and extensions:
            for extension in (extensions[1] or extensions[2] or extensions[3]).split(","):
                sizes[extension] = int(size[1])
    for path in sorted(rendered_default.path.glob("**/*")):
        # Python's indent is ruff format's to keep; the scripts have no formatter.
        if path.suffix not in (".sh", ".mjs") or ".git" in path.parts:
            continue
        indents = {len(line) - len(line.lstrip(" ")) for line in path.read_text().splitlines() if line.strip()}
        expected = sizes.get(path.suffix[1:], sizes["*"])
        assert min(indents - {0}) == expected, f"{path.relative_to(rendered_default.path)} is indented differently"


def test_readme_documents_every_question() -> None:
    table = re.findall(r"^\| `([a-z_]+)` \|", (REPO_ROOT / "README.md").read_text(), re.MULTILINE)
    assert table == QUESTIONS


def test_every_question_help_fits_an_80_column_terminal() -> None:
    """The prompt cuts, not wraps, a long line; Copier puts "🎤 " (three columns) before the first."""
    for name in QUESTIONS:
        lines = COPIER_YML[name].get("help", "").splitlines()
        assert all(len(line) <= 76 for line in lines), f"{name}: wrap its help at 76 columns"


def test_answer_rules_and_copier_choices_agree() -> None:
    table = answer_rules_table()
    assert table["PYTHON_VERSIONS"] == COPIER_YML["python_min"]["choices"]
    for question in ("python_min", "license", "publish_via"):
        choices = COPIER_YML[question]["choices"]
        values = list(choices.values()) if isinstance(choices, dict) else choices
        values = [v["value"] if isinstance(v, dict) else v for v in values]
        # The rule accepts exactly these values and its message lists them.
        (pattern, message, _), *_ = table["RULES"][question]
        for value in values:
            assert re.search(pattern, value), (question, value)
            assert re.search(pattern, value + "x") is None, (question, value)
        assert re.search(pattern, "other") is None, question
        assert f"must be one of {', '.join(values)}" in message, question


@pytest.mark.parametrize(
    "answers",
    [{"publish_via": mode} for mode in PUBLISH_MODES] + [{"license": "Proprietary"}],
    ids=[*PUBLISH_MODES, "Proprietary"],
)
def test_the_messages_after_copy_and_update_fit_an_80_column_terminal(answers: dict[str, str]) -> None:
    """A terminal wraps a longer line mid-word. The destination path, any length, is left out."""
    context = {**every_answer(**answers), "_copier_conf": {"dst_path": Path("/home/ann/acme-widgets")}}
    for key in ("_message_after_copy", "_message_after_update"):
        message = copier_jinja().from_string(COPIER_YML[key]).render(context)
        assert "make" in message, key
        for line in message.splitlines():
            assert "/home/ann/acme-widgets" in line or len(line) <= 80, f"{key}: {line!r}"


# What Copier puts before a prompt's error, on the one line the prompt shows it on.
PROMPT_ERROR_PREFIX = "Validation error for question '{name}': "


def test_every_prompt_error_fits_an_80_column_terminal() -> None:
    """The prompt cuts its error line at the terminal's width, so each rule's brief must fit."""
    for name, rules in answer_rules_table()["RULES"].items():
        for _, message, brief in rules:
            shown = PROMPT_ERROR_PREFIX.format(name=name) + fill_rule(brief, "acme-widgets")
            assert len(shown) <= 79, f"{shown!r}: shorten the brief of {message!r}"
            assert "'" not in brief, "Copier would show an apostrophe escaped"


def test_answer_rules_cover_every_question_and_the_required_ones() -> None:
    table = answer_rules_table()
    assert list(table["RULES"]) == QUESTIONS
    assert table["REQUIRED"] == [name for name in QUESTIONS if "default" not in COPIER_YML[name]]


def test_ci_uses_the_uv_version_the_tests_use(rendered_default: Rendered) -> None:
    dependencies = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    steps = workflow_steps(rendered_default.path / ".github/workflows/ci.yml")
    versions = {step["with"]["version"] for step in steps if "setup-uv" in step.get("uses", "")}
    assert [d for d in dependencies if d.startswith("uv==")] == [f"uv=={v}" for v in versions]


def test_actions_are_pinned_to_commits(rendered_default: Rendered) -> None:
    for workflow in (rendered_default.path / ".github/workflows").glob("*.yml"):
        for line in workflow.read_text().splitlines():
            if "uses: ./" in line:  # a workflow of this repository, from the same commit
                assert (rendered_default.path / line.split("uses: ")[1].split()[0]).is_file(), line
            elif "uses:" in line:
                assert re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40}  # v\d+\.\d+\.\d+$", line), line


@pytest.mark.parametrize("mode", PUBLISH_MODES)
def test_a_release_runs_only_after_ci_passes_on_its_commit(render, mode: str) -> None:
    rendered = render(publish_via=mode)
    ci = rendered.yaml(".github/workflows/ci.yml")
    release_jobs = rendered.yaml(".github/workflows/release.yml")["jobs"]
    callers = [name for name, job in release_jobs.items() if job.get("uses") == "./.github/workflows/ci.yml"]

    assert len(callers) == 1, "release.yml calls ci.yml once"
    needs = release_jobs["release"].get("needs", [])
    assert callers[0] in ([needs] if isinstance(needs, str) else needs), "semantic-release waits for CI"
    triggers = ci[True]  # YAML 1.1 reads the key `on` as true
    assert "workflow_call" in triggers
    assert "push" not in triggers, "a push runs CI once, inside the release workflow"
    # A called workflow gets at most the permissions its caller's job grants.
    granted = release_jobs[callers[0]]["permissions"]
    for name, job in ci["jobs"].items():
        assert job["permissions"].items() <= granted.items(), name
