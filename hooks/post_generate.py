"""Copier's post-generation task: validate the rendered repo, then set up Doppler.

Runs with Copier's own interpreter in the repo, after `copier copy` (a task) and after the
merge of every `copier update` (a migration). Validation first (the repo's own
scripts/validate_repo.py, the same code as `make validate`): a broken render, or an update
that left conflict markers or .rej files, stops here with a non-zero exit. After a copy, for
the Doppler publish modes: `doppler setup`, and once bound, on a terminal, an offer to store
the PyPI token. After an update: uv.lock re-locked if need be, the files the update removed
named, and what a new module_name, publish_via or release_branch asks of the maintainer.
Usage: post_generate.py copy DEFAULTS | post_generate.py update
       (DEFAULTS: Copier's --defaults flag, "True" or "False")
"""

from __future__ import annotations

import sys

try:  # a Ctrl-C this early gets the same one line as a later one, not a traceback
    import shlex
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other hooks modules

    from answers import parse_answers
    from doppler_setup import setup_doppler, start_login_check
    from say import say
    from token_prompt import interactive, offer_token_storage
except KeyboardInterrupt:
    print("  stopped   interrupted before the checks; the files are in place: run `make validate`", flush=True)
    sys.exit(130)

DOPPLER_MODES = ("local-doppler", "doppler-ci")
# How far main() got, for the message after a Ctrl-C: the checks until a later stage is reached.
REACHED: list[str] = []


# The validator as this template version renders it (the file is not a template).
TEMPLATE_VALIDATOR = Path(__file__).resolve().parent.parent / "template/scripts/validate_repo.py"


def validator_code(repo: Path) -> tuple[Path, object]:
    """The repo's own validator, compiled; the template's copy when the repo's is missing or does
    not compile (an update left conflict markers in it): that one then names the problem."""
    script = repo / "scripts/validate_repo.py"
    try:
        return script, compile(script.read_bytes(), script, "exec")
    except (OSError, SyntaxError, ValueError):
        return TEMPLATE_VALIDATOR, compile(TEMPLATE_VALIDATOR.read_bytes(), TEMPLATE_VALIDATOR, "exec")


def validate(repo: Path) -> None:
    """The generated repo's own validator; exits non-zero when a check fails."""
    script, code = validator_code(repo)
    sys.argv = [str(script), str(repo)]
    try:
        # Run as __main__ in this process (what runpy.run_path does, without importing runpy).
        exec(code, {"__name__": "__main__", "__file__": str(script)})
    except SystemExit as done:
        if done.code:
            raise


def recorded_answers(repo: Path) -> dict:
    try:
        return parse_answers((repo / ".copier-answers.yml").read_text(encoding="utf-8"))
    except OSError:
        return {}  # the validator reports it


def warn_of_a_relative_template_path(source: object) -> None:
    """Copier records the template's path as given; `copier update` reads a relative one from
    inside the generated repo, where it names nothing (or the repo itself)."""
    if not isinstance(source, str) or not source or source.startswith(("/", "~")) or ":" in source:
        return  # absolute, or a URL (gh:, https://, git@host:)
    say(
        "template",
        f"recorded as the relative path {source!r}, which `copier update` would look for inside this"
        " repo: set _src_path in .copier-answers.yml to the template's absolute path or its gh:OWNER/NAME"
        " URL, and commit it",
    )


def report_update(repo: Path) -> None:
    # Imported only here: a copy never needs it, and compiling its source would cost every copy.
    from after_update import report_update as report

    report(repo)


def main(argv: list[str]) -> None:
    repo = Path.cwd()
    copying = argv[:1] == ["copy"]
    answers = recorded_answers(repo) if copying else {}
    mode, secret = answers.get("publish_via"), answers.get("pypi_token_secret", "PYPI_TOKEN")
    # Started before validating, so its network round trip overlaps the checks.
    login_check = start_login_check(repo) if mode in DOPPLER_MODES else None
    try:
        validate(repo)
    except BaseException as stopped:  # a failed check, Ctrl-C or a crash: leave no doppler process behind
        if login_check is not None:
            login_check.kill()
            login_check.wait()
        if not copying and not isinstance(stopped, KeyboardInterrupt):
            # A failed update still changed pyproject.toml and removed files: both need saying,
            # without hiding the failure itself.
            try:
                report_update(repo)
            except Exception as error:
                say("update", f"could not finish the report (lock, removed files, changed answers): {error}")
            # Copier prints no next steps after a failed migration: these are the ones that matter.
            say(
                "next",
                "fix what failed above (`git diff --name-only --diff-filter=U` lists files left in conflict;"
                " `git add` each once resolved), then `make validate`, `make install test lint`, and commit",
            )
        raise
    if not copying:
        REACHED.append("report")
        report_update(repo)
        return
    warn_of_a_relative_template_path(answers.get("_src_path"))
    if mode not in DOPPLER_MODES:
        return
    REACHED.append("doppler")
    bound = setup_doppler(repo, login_check)
    # Storing needs a logged-in CLI: when Doppler was skipped, a pasted token would go nowhere.
    if not bound or not interactive(defaults=argv[1:2] == ["True"]):
        return
    if answers.get("license") == "Proprietary":  # the token of an index this hook knows nothing of yet
        say("token", "not asked: store your own index's token with `UV_PUBLISH_URL=<upload URL> make token-set`")
        return
    REACHED.append("token")
    offer_token_storage(repo, secret)


def say_interrupted(argv: list[str]) -> None:
    """After Ctrl-C: what is done and what is left to run, instead of a traceback."""
    stage = REACHED[-1] if REACHED else "checks"
    commit = "then `make install` (it re-locks uv.lock) and read `git status` before committing"
    if argv[:1] != ["copy"]:
        if stage == "checks":
            text = f"interrupted during the checks; the updated files are in place: run `make validate`, {commit}"
        else:
            text = f"interrupted during the update's report, after the checks passed: {commit.removeprefix('then ')}"
    elif stage == "doppler":
        text = "interrupted while binding Doppler, after the checks passed: run `make doppler-setup`"
    elif stage == "token":
        text = "interrupted while storing the token: run `make token-set` (it replaces whatever was stored)"
    else:
        mode = recorded_answers(Path.cwd()).get("publish_via")
        later = ", then `make doppler-setup`" if mode in DOPPLER_MODES else ""
        text = f"interrupted during the checks; the files are in place: run `make validate`{later}"
    say("stopped", text)
    if argv[:1] == ["copy"]:  # Copier prints no next steps after a stopped task
        branch = recorded_answers(Path.cwd()).get("release_branch", "main")
        say(
            "next",
            f"then the rest of the set-up: cd {shlex.quote(str(Path.cwd()))} && git init -b {branch} && make install"
            " && make test lint, commit, and push (README.md has the commands)",
        )


if __name__ == "__main__":
    arguments = sys.argv[1:]  # validate() replaces sys.argv
    try:
        main(arguments)
    except KeyboardInterrupt:
        say_interrupted(arguments)
        sys.exit(130)
