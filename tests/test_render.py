"""What a render contains, for the defaults and for every publish mode."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import yaml

from tests.rendering import PUBLISH_MODES, Rendered, default_answers, makefile_targets
from tools.render import copy_command

EXPECTED_FILES = {
    ".copier-answers.yml",
    ".editorconfig",
    ".github/workflows/ci.yml",
    ".github/workflows/release.yml",
    ".gitignore",
    ".releaserc.json",
    "CHANGELOG.md",
    "LICENSE",
    "Makefile",
    "README.md",
    "docs/publishing.md",
    "docs/releasing.md",
    "doppler.yaml",
    "package-lock.json",
    "package.json",
    "pyproject.toml",
    "scripts/publish-to-pypi.sh",
    "scripts/publish_checks.py",
    "scripts/pypi-token.sh",
    "scripts/release-outputs.sh",
    "scripts/release-preview.mjs",
    "scripts/set-version.sh",
    "src/acme_widgets/__init__.py",
    "src/acme_widgets/py.typed",
    "tests/test_acme_widgets.py",
}
# A Jinja expression, statement or comment opening (bash's ${#x} and }} are not).
UNRENDERED = re.compile(r"\{\{-? ?[\w(]|\{%-? ?[a-z]|\{#-? ")
GITHUB_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


def test_default_render_has_the_package_files(rendered_default: Rendered) -> None:
    assert EXPECTED_FILES <= set(rendered_default.files())
    assert not [f for f in rendered_default.files() if f.endswith(".jinja")]


def test_scripts_are_executable(rendered_default: Rendered) -> None:
    """What is run is executable; what Python runs (or reads) is not."""
    scripts = list((rendered_default.path / "scripts").iterdir())
    assert len(scripts) == 8
    for script in scripts:
        assert os.access(script, os.X_OK) is (script.suffix in (".sh", ".mjs")), script.name


def test_doppler_yaml_names_the_project_and_config(render) -> None:
    rendered = render(doppler_project="acme-secrets", doppler_config="prd")

    assert rendered.yaml("doppler.yaml") == {"setup": [{"project": "acme-secrets", "config": "prd"}]}
    assert not (rendered.path / ".doppler.yaml").exists()
    token_script = rendered.text("scripts/pypi-token.sh")
    assert 'EXPECTED_REPO="acme/acme-widgets"' in token_script
    assert 'TOKEN_SECRET="PYPI_TOKEN"' in token_script


def test_release_config_runs_the_version_sync_before_the_git_plugin(rendered_default: Rendered) -> None:
    config = json.loads(rendered_default.text(".releaserc.json"))
    names = [plugin[0] for plugin in config["plugins"]]
    exec_options = dict(config["plugins"])["@semantic-release/exec"]
    git_options = dict(config["plugins"])["@semantic-release/git"]

    assert config["branches"] == ["main"]
    assert names.index("@semantic-release/exec") < names.index("@semantic-release/git")
    assert exec_options["prepareCmd"] == "scripts/set-version.sh ${nextRelease.version}"
    version_files = {"pyproject.toml", "uv.lock", "package.json", "package-lock.json"}
    assert set(git_options["assets"]) == {"CHANGELOG.md", *version_files}
    assert git_options["message"].startswith("chore(release): ${nextRelease.version} [skip ci]")


def test_package_json_and_its_lock_agree(rendered_default: Rendered) -> None:
    package = json.loads(rendered_default.text("package.json"))
    lock = json.loads(rendered_default.text("package-lock.json"))

    assert package["private"] is True
    assert package["version"] == lock["version"] == rendered_default.toml()["project"]["version"]
    assert lock["packages"][""]["devDependencies"] == package["devDependencies"]
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", pin) for pin in package["devDependencies"].values()), "pin exactly"


def test_pyproject_metadata_follows_the_answers(rendered_default: Rendered) -> None:
    project = rendered_default.toml()["project"]

    assert project["name"] == "acme-widgets"
    assert project["version"] == "0.0.0"
    assert project["license"] == "MIT"
    assert project["authors"] == [{"name": "A", "email": "a@example.com"}]
    assert project["requires-python"] == ">=3.11"
    assert project["urls"]["Homepage"] == "https://github.com/acme/acme-widgets"
    assert rendered_default.toml()["build-system"]["build-backend"] == "uv_build"
    assert rendered_default.toml()["tool"]["uv"]["build-backend"]["module-name"] == "acme_widgets"


def test_answers_file_records_every_answer(rendered_default: Rendered) -> None:
    recorded = rendered_default.yaml(".copier-answers.yml")

    assert recorded["package_name"] == "acme-widgets"
    assert recorded["module_name"] == "acme_widgets"
    assert recorded["publish_via"] == "local-doppler"
    assert recorded["doppler_project"] == "acme-widgets"
    assert recorded["doppler_config"] == "dev"
    assert recorded["pypi_token_secret"] == "PYPI_TOKEN"
    assert recorded["release_branch"] == "main"
    assert "answers_check" not in recorded


def test_gitignore_keeps_secrets_and_build_output_out(rendered_default: Rendered) -> None:
    ignored = set(rendered_default.text(".gitignore").split())
    assert {".env", ".pypirc", "dist/", ".venv/", "venv/", ".idea/", ".vscode/"} <= ignored


def test_changelog_starts_with_the_release_title(rendered_default: Rendered) -> None:
    assert rendered_default.text("CHANGELOG.md").startswith(
        "# Changelog\n\nAll notable changes to this project will be documented in this file."
    )


@pytest.mark.parametrize("mode", PUBLISH_MODES)
def test_every_publish_mode_renders_cleanly(render, mode: str) -> None:
    rendered = render(publish_via=mode)

    for relpath in rendered.files():
        text = (rendered.path / relpath).read_text(encoding="utf-8")
        assert not UNRENDERED.search(GITHUB_EXPRESSION.sub("", text)), f"unrendered Jinja in {relpath}"
        if relpath.endswith((".yml", ".yaml")):
            yaml.safe_load(text)
    recorded = rendered.yaml(".copier-answers.yml")
    assert recorded["publish_via"] == mode
    uses_doppler = mode in ("local-doppler", "doppler-ci")
    assert ("doppler_project" in recorded) is uses_doppler
    assert ("pypi_token_secret" in recorded) is (mode != "trusted-publishing")
    files = set(rendered.files())
    assert ({"doppler.yaml", "scripts/pypi-token.sh"} <= files) is uses_doppler
    assert {"scripts/publish_checks.py", "docs/publishing.md"} <= files
    assert ("scripts/publish-to-pypi.sh" in files) is (mode == "local-doppler")
    assert ("scripts/publish-from-ci.sh" in files) is (mode != "local-doppler")
    targets = makefile_targets(rendered.path / "Makefile")
    assert "publish" in targets
    assert ("publish-dry-run" in targets) is (mode == "local-doppler")
    assert ("publish-ci" in targets) is (mode != "local-doppler")
    assert ({"doppler-setup", "token-set", "token-check"} <= targets) is uses_doppler


@pytest.mark.parametrize("mode", PUBLISH_MODES)
def test_the_publishing_guide_covers_each_modes_first_time_setup(render, mode: str) -> None:
    guide = render(publish_via=mode).text("docs/publishing.md")
    setup = " ".join(guide.partition("## First-time setup")[2].partition("\n## ")[0].split())

    # Each Doppler mode reads a project and config that must exist first; `make doppler-setup` creates neither.
    creates = re.search(r"[Cc]reate the project `acme-widgets` with a config `dev`", setup)
    assert bool(creates) is (mode in ("local-doppler", "doppler-ci")), setup
    # Every CI mode's publish job waits in the environment pypi, where GitHub cancels older waiting runs.
    assert ("a `publish-tag` run cancelled this way must be started again" in setup) is (mode != "local-doppler"), setup


@pytest.mark.parametrize(
    ("license_id", "spdx", "first_line"),
    [
        ("MIT", "MIT", "MIT License"),
        ("Apache-2.0", "Apache-2.0", "Apache License"),
        ("BSD-3-Clause", "BSD-3-Clause", "BSD 3-Clause License"),
        ("Proprietary", "LicenseRef-Proprietary", "Copyright (c)"),
    ],
)
def test_license_text_and_expression_agree(render, license_id: str, spdx: str, first_line: str) -> None:
    rendered = render(license=license_id, author_name="Ann Author")

    assert rendered.toml()["project"]["license"] == spdx
    private = [c for c in rendered.toml()["project"]["classifiers"] if c.startswith("Private ::")]
    assert private == (["Private :: Do Not Upload"] if license_id == "Proprietary" else [])
    text = rendered.text("LICENSE")
    assert text.strip().startswith(first_line)
    assert "Ann Author" in text


def test_quotes_in_answers_stay_valid_toml(render) -> None:
    rendered = render(
        project_name='Acme "Quoted" Widgets',
        description='Says "hi" with a back\\slash',
        author_name='Ann "The Tester" O\'Neil',
    )

    project = rendered.toml()["project"]
    assert project["description"] == 'Says "hi" with a back\\slash'
    assert project["authors"][0]["name"] == 'Ann "The Tester" O\'Neil'
    compile(rendered.text("src/acme_quoted_widgets/__init__.py"), "__init__.py", "exec")


@pytest.mark.parametrize("mode", PUBLISH_MODES)
def test_each_publish_mode_has_exactly_one_publisher(render, mode: str) -> None:
    """Local mode: `make publish`, no CI job. CI modes: one job in the release workflow, no local target."""
    secret = {} if mode == "trusted-publishing" else {"pypi_token_secret": "ACME_PYPI"}
    rendered = render(publish_via=mode, **secret)
    workflow = rendered.yaml(".github/workflows/release.yml")
    jobs = workflow["jobs"]
    dispatch = workflow[True]["workflow_dispatch"] or {}  # YAML 1.1 reads the key `on` as True
    targets = makefile_targets(rendered.path / "Makefile")
    writers = [
        (workflow.name, name)
        for workflow in (rendered.path / ".github/workflows").glob("*.yml")
        for name, job in rendered.yaml(f".github/workflows/{workflow.name}")["jobs"].items()
        if job.get("permissions", {}).get("id-token")
    ]
    # A fork never releases; a renamed repository still does (no owner/name in the condition).
    assert jobs["release"]["if"].startswith("${{ !github.event.repository.fork")
    assert jobs["release"]["timeout-minutes"] == 30
    if mode == "local-doppler":
        assert "publish" not in jobs and "publish" in targets and "publish-ci" not in targets
        assert writers == [] and "inputs" not in dispatch
        return

    job = jobs["publish"]
    # `make publish` stays, to say where publishing happens: it uploads nothing and fails.
    assert "publish-dry-run" not in targets
    refused = subprocess.run(["make", "-s", "publish"], cwd=rendered.path, capture_output=True, text=True)
    assert refused.returncode != 0 and refused.stdout == ""
    assert f"publishes from CI (publish_via={mode})" in refused.stderr
    assert "docs/publishing.md" in refused.stderr and "next:" in refused.stderr
    # Same workflow as the release: a release made with GITHUB_TOKEN triggers no other workflow.
    assert job["needs"] == "release" and "needs.release.outputs.released == 'true'" in job["if"]
    # Run by hand with publish-tag: no release, only the publish job, for that tag.
    assert set(dispatch["inputs"]) == {"publish-tag"}
    assert jobs["release"]["if"] == "${{ !github.event.repository.fork && !inputs.publish-tag }}"
    assert "needs.release.result == 'skipped' && inputs.publish-tag != ''" in job["if"]
    assert job["environment"]["name"] == "pypi"
    trusted = mode == "trusted-publishing"
    assert job["permissions"] == ({"contents": "read", "id-token": "write"} if trusted else {"contents": "read"})
    assert writers == ([("release.yml", "publish")] if trusted else [])
    assert job["env"] == {"RELEASE_TAG": "${{ inputs.publish-tag || format('v{0}', needs.release.outputs.version) }}"}
    checkout = next(step for step in job["steps"] if "actions/checkout" in step.get("uses", ""))["with"]
    assert checkout == {"ref": "refs/tags/${{ env.RELEASE_TAG }}", "fetch-depth": 0, "persist-credentials": False}
    # Before the tag's own code runs (make), the workflow's check that it is a release on the branch.
    names = [step.get("name", step.get("uses", step.get("run"))) for step in job["steps"]]
    assert names.index("The tag is a release on main") < names.index("make publish-ci")
    [publish_step] = [step for step in job["steps"] if step.get("run") == "make publish-ci"]
    expected_env = {
        "trusted-publishing": None,
        "token-secret": {"UV_PUBLISH_TOKEN": "${{ secrets.ACME_PYPI }}"},
        "doppler-ci": {"DOPPLER_TOKEN": "${{ secrets.DOPPLER_TOKEN }}"},
    }[mode]
    assert publish_step.get("env") == expected_env
    if mode != "trusted-publishing":  # the token's secret name, where the script reads it from
        answers = rendered.text("scripts/pypi-token.sh" if mode == "doppler-ci" else "scripts/publish-from-ci.sh")
        assert 'readonly TOKEN_SECRET="ACME_PYPI"' in answers


def test_readme_links_work_on_the_pypi_page(rendered_default: Rendered) -> None:
    """The README is also the package's long description on PyPI, where relative links break."""
    links = re.findall(r"\]\(([^)]+)\)", rendered_default.text("README.md"))

    assert "https://github.com/acme/acme-widgets/blob/main/docs/publishing.md" in links
    assert [link for link in links if not link.startswith("https://")] == []


@pytest.mark.parametrize("license", ["MIT", "Proprietary"])
def test_the_readme_badges_show_the_release_branchs_ci_and_pypi_only_for_a_public_package(render, license: str) -> None:
    rendered = render(license=license, github_owner="acme", github_repo="widgets", release_branch="trunk")
    badges = re.findall(r"^\[!\[(\w+)\]\(([^)]+)\)\]\(([^)]+)\)$", rendered.text("README.md"), re.MULTILINE)

    release = "https://github.com/acme/widgets/actions/workflows/release.yml"
    # Pushes run only on the release branch: no answer of it in the badge a maintainer's may sit by.
    assert badges[0] == ("Release", f"{release}/badge.svg?event=push", release)
    workflow = rendered.yaml(".github/workflows/release.yml")
    assert workflow[True]["push"] == {"branches": ["trunk"]}, "the badge's push runs are the release branch's"
    assert workflow["jobs"]["checks"]["uses"] == "./.github/workflows/ci.yml", "and each runs CI"
    pypi = [name for name, image, _ in badges if "pypi" in image]
    assert pypi == ([] if license == "Proprietary" else ["PyPI", "Python"])


def test_the_next_steps_cd_into_a_path_with_spaces(tmp_path) -> None:
    dest = tmp_path / "my packages" / "acme widgets"
    cmd = [arg for arg in copy_command(dest, default_answers(), "--skip-tasks") if arg != "--quiet"]

    result = subprocess.run(cmd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
                            env={**os.environ, "NO_COLOR": "1"})  # fmt: skip

    assert result.returncode == 0, result.stderr
    cd = next(line.strip() for line in (result.stdout + result.stderr).splitlines() if line.strip().startswith("cd "))
    assert subprocess.run(["bash", "-c", f"{cd} && pwd"], capture_output=True, text=True).stdout.strip() == str(dest)
