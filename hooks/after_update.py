"""After a clean update: what the maintainer should know before committing it.

- uv.lock: a template change to the dependencies or to python_min leaves it behind, and nothing
  local notices (`make test` runs `uv run --frozen`) until CI's `make install` with UV_LOCKED
  fails. So the hook re-locks with `uv lock`, after every other line below is said (a lock can
  take a while, and a Ctrl-C then loses none of them); when uv is missing or cannot resolve (no
  network), it says what to run.
- Removed files: a new module_name or publish_via deletes the old answer's files, edited or
  not (Copier's doing). The hook names them and how to bring one back.
- A new module_name: the wheel builds the new module only, so the hook says how to move the
  maintainer's code from the old one, which stays in git.
- A new publish_via: the new mode's one-time setup, and what the old mode leaves to retire.
- A new release_branch: the workflows now run on the new name only, while the git branch and
  GitHub's default branch keep the old one, so no release would ever run. The hook says so.
- A new doppler_project, doppler_config or pypi_token_secret in the same publish mode: the next
  publish reads the token from the new place, which holds nothing yet. The hook says what to store.
- A new package_name: PyPI takes it as a new project, which neither a token scoped to the old
  name nor the old name's trusted publisher covers. The hook says what the first release needs.
- The maintainer's own dev tools in template-dev (an update from the layout with one dev list
  merges them there): the next change to the template's tools would conflict. The hook says how
  to move them to dev.
- A new package_name, python_min, license, description or author: PyPI shows it only once a
  release ships it, and the suggested `chore:` commit releases nothing. The hook names a type
  that does.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from answers import parse_answers
from say import say

# The answers committed at HEAD, and those the update wrote.
Answers = tuple[dict, dict]

# uv settings from the maintainer's shell that would forbid the re-lock itself.
LOCK_BLOCKERS = ("UV_LOCKED", "UV_FROZEN")


def relock(repo: Path, python_min: str | None = None) -> None:
    """Re-lock after the update; python_min: the new floor when the update raised or lowered it."""
    lock = repo / "uv.lock"
    if not lock.is_file():
        return  # never installed yet: `make install` writes the first lock
    uv = shutil.which("uv")
    if uv is None:
        say("uv.lock", "not checked: uv is not on PATH; run `make install` and commit uv.lock")
        return
    before = lock.read_bytes()
    env = {k: v for k, v in os.environ.items() if k not in LOCK_BLOCKERS}
    try:
        result = subprocess.run(
            [uv, "lock", "--quiet"], cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=300
        )
    except subprocess.TimeoutExpired:
        say("uv.lock", "could not re-lock in 5 minutes; run `make install` and commit uv.lock")
        return
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        reason = next((line for line in lines if line.startswith("error")), lines[0] if lines else "")
        # uv looks for (or downloads) an interpreter of the new floor: its error does not say so.
        needs = f"; uv needs a Python {python_min} or later (`uv python install {python_min}`)" if python_min else ""
        then = "run `make install` and commit uv.lock"
        say("uv.lock", f"could not re-lock ({reason or result.returncode}){needs}; {then}")
    elif lock.read_bytes() == before:
        say("uv.lock", "in step with pyproject.toml")
    else:
        say("uv.lock", "re-locked for the updated pyproject.toml: commit it with the update")


def report_removed(repo: Path, answers: Answers) -> None:
    """Name the tracked files the update deleted from the working tree."""
    if not (repo / ".git").exists() or shutil.which("git") is None:
        return
    result = git(repo, "ls-files", "-z", "--deleted")
    removed = [path for path in result.stdout.split("\0") if path]
    if result.returncode != 0 or not removed:
        return
    # Restored in place, an old module's files would sit where the wheel no longer looks.
    moved = changed_answer(answers, "module_name")
    module_files = (f"src/{moved[0]}/", f"tests/test_{moved[0]}.py") if moved else ()
    old_module = [path for path in removed if module_files and path.startswith(module_files)]
    others = [path for path in removed if path not in old_module]
    if old_module:
        say("removed", f"by the update: {', '.join(old_module)} (the module line below keeps your edits)")
    if others:
        say("removed", f"by the update: {', '.join(others)} (`git checkout HEAD -- PATH` restores one)")


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)


def answers_before_and_after(repo: Path) -> Answers:
    """The answers committed at HEAD and those this update wrote; empty when either is unknown."""
    if not (repo / ".git").exists() or shutil.which("git") is None:
        return {}, {}
    committed = git(repo, "show", "HEAD:.copier-answers.yml")
    answers = repo / ".copier-answers.yml"
    if committed.returncode != 0 or not answers.is_file():
        return {}, {}
    return parse_answers(committed.stdout), parse_answers(answers.read_text(encoding="utf-8"))


def changed_answer(answers: Answers, name: str) -> tuple[str, str] | None:
    """The committed and the new value of an answer this update changed; None if it did not."""
    before, after = answers
    old, new = before.get(name), after.get(name)
    if old is None or new is None or old == new:
        return None
    return str(old), str(new)


# Where each publish mode keeps what lets it publish: a switch retires what the new mode does not use.
CREDENTIALS = {
    "local-doppler": ("doppler-secret",),
    "doppler-ci": ("doppler-secret", "doppler-service-token"),
    "token-secret": ("github-secret",),
    "trusted-publishing": ("trusted-publisher",),
}


def report_mode(answers: Answers) -> None:
    """After a new publish_via: the new mode's one-time setup, and what the old one leaves to retire."""
    change = changed_answer(answers, "publish_via")
    if change is None or not set(change) <= CREDENTIALS.keys():
        return
    old, new = change
    before, after = answers
    where = f"{after.get('doppler_project')}/{after.get('doppler_config')}"
    own_index = " with UV_PUBLISH_URL and UV_PUBLISH_CHECK_URL set (your own index: PyPI refuses license Proprietary)"
    setup = {
        "local-doppler": (
            "make doppler-setup and `UV_PUBLISH_URL=<upload URL> make token-set` (your index's token, in Doppler),"
            " then make publish after each release" + own_index
            if after.get("license") == "Proprietary"
            else "make doppler-setup and make token-set (Doppler), then make publish after each release"
        ),
        "trusted-publishing": f"a trusted publisher on PyPI ({after.get('github_owner')}/{after.get('github_repo')},"
        " workflow release.yml, environment pypi) and the environment pypi on GitHub",
        "token-secret": f"the PyPI token as the secret {after.get('pypi_token_secret')} of the GitHub environment pypi",
        "doppler-ci": f"a Doppler service token for {where} as the secret DOPPLER_TOKEN of the GitHub environment"
        " pypi (make token-set if the PyPI token is not in Doppler yet)",
    }[new]
    names = {
        "doppler-secret": f"{before.get('pypi_token_secret')} in Doppler"
        f" ({before.get('doppler_project')}/{before.get('doppler_config')})",
        "doppler-service-token": "the DOPPLER_TOKEN secret on GitHub and its service token in Doppler",
        "github-secret": f"the GitHub secret {before.get('pypi_token_secret')}",
        "trusted-publisher": "the trusted publisher on PyPI",
    }
    retire = [names[item] for item in CREDENTIALS[old] if item not in CREDENTIALS[new]]
    if new == "trusted-publishing":
        retire.append("the PyPI token itself (revoke it on PyPI)")
    say(
        "publish",
        f"publish_via is now {new} (was {old}). Set up once: {setup}."
        + (f" Then retire: {'; '.join(retire)}." if retire else "")
        + " docs/publishing.md has the details.",
    )


def report_token_place(answers: Answers) -> None:
    """Where the token now lives, when the update moved it without changing the publish mode."""
    before, after = answers
    mode = after.get("publish_via")
    if before.get("publish_via") != mode or mode == "trusted-publishing":
        return  # a new mode: report_mode names its whole setup
    places = ("pypi_token_secret",)
    if mode != "token-secret":
        places = ("doppler_project", "doppler_config", *places)
    moved = [name for name in places if changed_answer(answers, name)]
    if not moved:
        return
    secret, old_secret = after.get("pypi_token_secret"), before.get("pypi_token_secret")
    if mode == "token-secret":
        steps = f"add the PyPI token as the secret {secret} of the GitHub environment pypi, then delete {old_secret}"
    else:
        where = f"{after.get('doppler_project')}/{after.get('doppler_config')}"
        steps = f"store the PyPI token there (make token-set; it was {old_secret} in"
        steps += f" {before.get('doppler_project')}/{before.get('doppler_config')})"
        if mode == "local-doppler":
            steps = f"make doppler-setup (binds this folder to {where}), then {steps}"
        else:  # a service token reads the one config it was made for
            steps += f", and replace the secret DOPPLER_TOKEN with a service token for {where}"
    place = f"{secret} in Doppler {after.get('doppler_project')}/{after.get('doppler_config')}"
    if mode == "token-secret":
        place = f"the GitHub secret {secret}"
    say("token", f"the next publish reads {place} ({', '.join(moved)} changed): {steps}")


def report_package(answers: Answers) -> None:
    """After a new package_name: PyPI sees a new project, which the old name's credentials do not cover."""
    change = changed_answer(answers, "package_name")
    _, after = answers
    if change is None or after.get("license") == "Proprietary":
        return  # published to your own index, under its rules rather than PyPI's
    old, new = change
    if after.get("publish_via") == "trusted-publishing":
        steps = (
            f"add a pending trusted publisher for {new} on PyPI ({after.get('github_owner')}/"
            f"{after.get('github_repo')}, workflow release.yml, environment pypi): the one for {old} does not cover it"
        )
    else:
        secret = after.get("pypi_token_secret")
        place = f"the GitHub secret {secret}"
        if after.get("publish_via") != "token-secret":
            place = f"{secret} in Doppler {after.get('doppler_project')}/{after.get('doppler_config')} (make token-set)"
        steps = (
            f"a token scoped to {old} cannot create {new}: put a token for the whole PyPI account in {place}"
            f" for the first release of {new}, then replace it with one scoped to {new}"
        )
    say("package", f"package_name is now {new} (was {old}): PyPI takes it as a new project; {steps}")


def report_licence(answers: Answers) -> None:
    """After a licence change to or from Proprietary: where `make publish` now uploads, with what token."""
    change = changed_answer(answers, "license")
    _, after = answers
    if change is None or "Proprietary" not in change or after.get("publish_via") != "local-doppler":
        return  # only local-doppler publishes a Proprietary package; report_mode covers a new CI mode
    old, new = change
    secret = f"{after.get('pypi_token_secret')} in Doppler {after.get('doppler_project')}/{after.get('doppler_config')}"
    if new == "Proprietary":
        text = (
            f"license is now Proprietary (was {old}): PyPI refuses the package from now on (its Private ::"
            " classifier). make publish needs UV_PUBLISH_URL and UV_PUBLISH_CHECK_URL of your own index, and"
            f" {secret} must hold that index's token (`UV_PUBLISH_URL=<upload URL> make token-set`)."
            " Versions already on PyPI stay public: yank or delete them there if they must not be."
        )
    else:
        text = (
            f"license is now {new} (was Proprietary): make publish uploads to PyPI unless UV_PUBLISH_URL is"
            f" set. Put a PyPI token in {secret} in place of your index's (`make token-set`);"
            " docs/publishing.md has the first upload's steps."
        )
    say("license", text)


def report_module(repo: Path, answers: Answers) -> None:
    """Say how to move the maintainer's code when the update changed the module_name answer."""
    change = changed_answer(answers, "module_name")
    if change is None:
        return
    old, new = change
    # Copier removed the old module's rendered files only: their edits, and any other file, stay in git.
    if git(repo, "cat-file", "-e", f"HEAD:src/{old}").returncode != 0:
        return
    steps = [f"git checkout HEAD -- src/{old}", f"git mv -k -f src/{old}/* src/{new}/"]
    if git(repo, "cat-file", "-e", f"HEAD:tests/test_{old}.py").returncode == 0:
        steps[0] += f" tests/test_{old}.py"
        steps.append(f"git mv -f tests/test_{old}.py tests/test_{new}.py")
    say(
        "module",
        f"module_name is now {new} (was {old}): the wheel builds src/{new} only. To keep your"
        f" code, move it over (`{' && '.join(steps)}`), then import {new} where it says {old}",
    )


def report_branch(repo: Path, answers: Answers) -> None:
    """Say what to rename when the update changed the release_branch answer."""
    change = changed_answer(answers, "release_branch")
    if change is None:
        return
    old, new = change
    current = git(repo, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    # A maintainer who renamed the branch before updating only has the push and GitHub left.
    rename = f"git push -u origin {new}" if current == new else f"git branch -m {old} {new} && git push -u origin {new}"
    # GitHub's rules name the branch too, and none of them follows the rename.
    rules = "the branch protection or rulesets that let the release push (docs/releasing.md)"
    if answers[1].get("publish_via") != "local-doppler":
        rules += f" and the deployment branches of the environment pypi, which must allow {new} (docs/publishing.md)"
    say(
        "branch",
        f"release_branch is now {new} (was {old}): the workflows run on {new} only. Rename the"
        f" branch (`{rename}`), then make {new} the default branch on GitHub (Settings, General, Default branch)"
        f" and move to it {rules}",
    )


# The template version this update brings: its tool list is the one template-dev should hold.
TEMPLATE_VERSIONS = Path(__file__).resolve().parent.parent / "includes/versions.jinja"


def requirement_name(spec: str) -> str:
    """The distribution a requirement names, in PEP 503 form."""
    found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    return re.sub(r"[-_.]+", "-", found[1]).lower() if found else spec


def report_own_dev_tools(repo: Path) -> None:
    """Dev tools of the maintainer's in template-dev: an update from the one-list layout merges
    them there, where the next change to the template's tools conflicts with them."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: Copier installed with tomlkit (README)
        import tomlkit as tomllib
    try:
        listed = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
        tools = re.search(r"set dev_tools = (\[[^\]]*\])", TEMPLATE_VERSIONS.read_text(encoding="utf-8"))
        templates = {requirement_name(spec) for spec in json.loads(tools[1])}
    except (OSError, ValueError, TypeError):
        return  # a pyproject.toml that does not parse: the validator has said so
    group = listed.get("dependency-groups", {}).get("template-dev", [])
    own = [spec for spec in group if isinstance(spec, str) and requirement_name(spec) not in templates]
    if own:
        moves = " && ".join(
            f"uv remove --group template-dev {requirement_name(spec)} && uv add --dev {shlex.quote(spec)}"
            for spec in own
        )
        say(
            "dev",
            f"template-dev lists {', '.join(own)}, which the template does not: move them to dev, where"
            f" updates leave them alone (`{moves}`)",
        )


# Answers the package's metadata carries: PyPI shows a change only once a release ships it.
METADATA_ANSWERS = ("package_name", "python_min", "license", "description", "author_name", "author_email")


def report_release(answers: Answers) -> None:
    """When the package's metadata changed: a commit type that releases it (`chore:` releases nothing)."""
    changed = [name for name in METADATA_ANSWERS if changed_answer(answers, name)]
    if not changed:
        return
    python, package = changed_answer(answers, "python_min"), changed_answer(answers, "package_name")
    raised = python and [int(part) for part in python[1].split(".")] > [int(part) for part in python[0].split(".")]
    # Each breaking change: the subject's part, and who it leaves behind.
    breaking = [(f"publish as {package[1]}", f"users of {package[0]} must switch names")] if package else []
    breaking += [(f"require Python {python[1]}", f"Python {python[0]} users keep the last one")] if raised else []
    if breaking:
        subject, why = ", ".join(part for part, _ in breaking), "; ".join(who for _, who in breaking)
        kind = f"`feat!: {subject}` (a major release: {why})"
    elif python:
        kind = f"`feat: support Python {python[1]}`"
    else:
        kind = "`fix: ...`"
    index = "your index" if answers[1].get("license") == "Proprietary" else "PyPI"
    say(
        "commit",
        f"{', '.join(changed)} changed in the package's metadata, which reaches {index} with the next release:"
        f" commit the update as {kind}, not `chore:`, which releases nothing",
    )


def report_update(repo: Path) -> None:
    answers = answers_before_and_after(repo)
    report_removed(repo, answers)
    report_module(repo, answers)
    report_package(answers)
    report_mode(answers)
    report_licence(answers)
    report_token_place(answers)
    report_branch(repo, answers)
    report_release(answers)
    report_own_dev_tools(repo)
    # Last: a lock can take a while, and a Ctrl-C during it leaves every line above said.
    python = changed_answer(answers, "python_min")
    relock(repo, python[1] if python else None)
