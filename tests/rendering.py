"""Read what the template renders."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

from tools.render import DEFAULT_ANSWERS, REPO_ROOT

PUBLISH_MODES = ("local-doppler", "trusted-publishing", "doppler-ci", "token-secret")


def default_answers() -> dict[str, str]:
    return dict(DEFAULT_ANSWERS)


def answer_rules_table() -> dict:
    """The JSON table at the top of includes/answer_rules.jinja."""
    rules = (REPO_ROOT / "includes/answer_rules.jinja").read_text(encoding="utf-8")
    return json.loads(re.search(r"\{%- set TABLE -%\}(.*?)\{%- endset -%\}", rules, re.DOTALL).group(1))


def copier_jinja() -> SandboxedEnvironment:
    """The environment Copier renders copier.yml's strings with: sandboxed, loader at the template root."""
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(REPO_ROOT),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
    )


def fill_rule(text: str, value: str) -> str:
    """A rule's sentence or brief for this value, as answer_rules.jinja's check() fills it in."""
    return text.replace("{value}", value).replace("{normalised}", re.sub(r"[-_.]+", "-", value.lower()))


def every_answer(**changes: str) -> dict[str, str]:
    """An answer to every question, so an interactive copy asks none that is not left out."""
    return {
        **default_answers(), "package_name": "acme-widgets", "module_name": "acme_widgets",
        "description": "Widgets.", "github_repo": "acme-widgets", "python_min": "3.11", "license": "MIT",
        "copyright_year": "2026", "publish_via": "local-doppler", "doppler_project": "acme-widgets",
        "doppler_config": "dev", "pypi_token_secret": "PYPI_TOKEN", "release_branch": "main", **changes,
    }  # fmt: skip


@dataclass(frozen=True)
class Rendered:
    """A generated repo, read as text, TOML or YAML."""

    path: Path

    def text(self, relpath: str) -> str:
        return (self.path / relpath).read_text(encoding="utf-8")

    def toml(self, relpath: str = "pyproject.toml") -> dict:
        return tomllib.loads(self.text(relpath))

    def yaml(self, relpath: str) -> dict:
        return yaml.safe_load(self.text(relpath))

    def files(self) -> list[str]:
        return sorted(str(p.relative_to(self.path)) for p in self.path.rglob("*") if p.is_file())


def makefile_targets(makefile: Path) -> set[str]:
    """Named targets a Makefile defines (`name:` at the start of a line); not files like `$(VENV)/x`."""
    targets = set()
    for line in makefile.read_text(encoding="utf-8").splitlines():
        head, sep, rest = line.partition(":")
        if sep and not line.startswith(("\t", " ", "#")) and not rest.startswith("="):
            targets.update(name for name in head.split() if re.fullmatch(r"[a-z][a-z0-9-]*", name))
    return targets


def workflow_steps(workflow: Path) -> list[dict]:
    """Every step of every job in a GitHub Actions workflow file."""
    jobs = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]
    return [step for job in jobs.values() for step in job.get("steps", [])]


CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "CIRCLECI", "TRAVIS", "BUILDKITE")
