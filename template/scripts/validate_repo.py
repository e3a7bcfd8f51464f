"""Check that this repository is the consistent whole the copier-pypi-release template renders.

One validator, three uses: Copier runs it after every `copier copy` and `copier update`,
`make validate` runs it here, and so does CI. Prints one line per check and a count, and exits
non-zero when anything fails. Needs PyYAML, and on Python 3.10 tomlkit (the dev dependencies;
Copier's own environment has PyYAML, and gets tomlkit with `uv tool install copier --with tomlkit`).

Usage: python scripts/validate_repo.py [REPO]   (default: the current directory)
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

try:
    import yaml

    try:
        # The standard library's TOML parser (Python 3.11+): cheap to import, and this runs on
        # every copy. tomlkit (a dev dependency) stands in for it on Python 3.10.
        from tomllib import loads as load_toml
    except ImportError:
        import tomlkit

        def load_toml(source: str) -> Any:
            return tomlkit.parse(source).unwrap()

except ImportError as missing:  # say how to fix it rather than crash
    sys.exit(
        f"validate: cannot check this repository: the Python module {missing.name!r} is missing.\n"
        "  In this repository: make install (it is a dev dependency).\n"
        "  For Copier: uv tool install --force copier --with tomlkit "
        "(or: pipx inject copier tomlkit pyyaml)."
    )

# libyaml's loader when PyYAML has it: several times faster, and this runs on every copy.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SKIPPED_DIRS = {".git", ".venv", "venv", "node_modules", "dist", "build", "__pycache__"}
DOPPLER_MODES = ("local-doppler", "doppler-ci")
# A Jinja expression, statement or comment opening; GitHub's ${{ }} is removed first.
JINJA = re.compile(r"\{\{-? ?[\w(]|\{%-? ?[a-z]|\{#-? ")
GITHUB_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
CONFLICT_MARKER = re.compile(r"^(<{7}|>{7}) ", re.MULTILINE)
MAKE_CALL = re.compile(r"(?:^|[;&|]\s*)make\s+([^;&|\n]+)", re.MULTILINE)
SCRIPT_CALL = re.compile(r"(?:^|[\s;&|])(?:\./)?(scripts/[\w./-]+)")


class Failed(Exception):
    """A check found a problem; the message is its one-line reason."""


def files(repo: Path) -> Iterator[Path]:
    """Every file of the repository, skipping environments, caches and build output."""
    for root, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith("_cache")]
        for name in names:
            yield Path(root, name)


def text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def load_yaml(source: str) -> Any:
    return yaml.load(source, Loader=YAML_LOADER)  # a safe loader, C or Python


PARSERS: dict[str, Callable[[str], Any]] = {
    ".json": json.loads,
    ".toml": load_toml,
    ".yml": load_yaml,
    ".yaml": load_yaml,
}


@functools.cache
def parsed(path: Path) -> Any:
    """A JSON, TOML or YAML file's content, parsed once per run."""
    return PARSERS[path.suffix](path.read_text(encoding="utf-8"))


def answers(repo: Path) -> dict:
    return parsed(repo / ".copier-answers.yml") or {}


def pyproject(repo: Path) -> dict:
    return parsed(repo / "pyproject.toml")


# ---- the checks: each returns a one-line summary or raises Failed -------------------------


def check_files_parse(repo: Path) -> str:
    count = 0
    for path in files(repo):
        if path.suffix not in PARSERS:
            continue
        try:
            parsed(path)
        except Exception as error:  # every parser has its own error type
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise Failed(f"{path.relative_to(repo)} does not parse: {first_line}") from error
        count += 1
    return f"{count} JSON, TOML and YAML files parse"


def check_release_config(repo: Path) -> str:
    config = parsed(repo / ".releaserc.json")
    plugins = [p if isinstance(p, list) else [p, {}] for p in config.get("plugins", [])]
    names = [name for name, *_ in plugins]
    options = {name: (rest[0] if rest else {}) for name, *rest in plugins}
    for required in ("@semantic-release/exec", "@semantic-release/git"):
        if required not in names:
            raise Failed(f".releaserc.json has no {required}")
    if names.index("@semantic-release/exec") > names.index("@semantic-release/git"):
        raise Failed(".releaserc.json runs @semantic-release/git before the version step (exec)")
    if "scripts/set-version.sh" not in options["@semantic-release/exec"].get("prepareCmd", ""):
        raise Failed(".releaserc.json's version step does not run scripts/set-version.sh")
    writes = subprocess.run(
        ["bash", "scripts/set-version.sh", "--files"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    changelog = options.get("@semantic-release/changelog", {}).get("changelogFile", "CHANGELOG.md")
    missing = sorted({*writes, changelog} - set(options["@semantic-release/git"].get("assets", [])))
    if missing:
        left_out = ", ".join(missing)
        raise Failed(
            f"the release commit would leave out {left_out}: add them to the git plugin's assets"
        )
    covered = ", ".join([*writes, changelog])
    return f"version step before the git plugin, whose assets cover {covered}"


def check_project_metadata(repo: Path) -> str:
    project, wanted = pyproject(repo).get("project", {}), answers(repo)
    problems = []
    if project.get("name") != wanted.get("package_name"):
        problems.append(
            f"name is {project.get('name')!r}, answers say {wanted.get('package_name')!r}"
        )
    if not re.fullmatch(r"\d+\.\d+\.\d+", str(project.get("version", ""))):
        problems.append(f"version {project.get('version')!r} is not X.Y.Z")
    if project.get("requires-python") != f">={wanted.get('python_min')}":
        found, floor = project.get("requires-python"), wanted.get("python_min")
        problems.append(f"requires-python is {found!r}, answers say >={floor}")
    if problems:
        raise Failed("pyproject.toml [project]: " + "; ".join(problems))
    return f"{project['name']} {project['version']}, requires-python {project['requires-python']}"


def check_versions_agree(repo: Path) -> str:
    version = pyproject(repo)["project"]["version"]
    package = parsed(repo / "package.json")["version"]
    lock = parsed(repo / "package-lock.json")["version"]
    if not version == package == lock:
        raise Failed(
            f"pyproject.toml says {version}, package.json {package}, package-lock.json {lock}"
        )
    return f"pyproject.toml, package.json and package-lock.json are at {version}"


def check_doppler_yaml(repo: Path) -> str:
    stray = [str(p.relative_to(repo)) for p in files(repo) if p.name == ".doppler.yaml"]
    if stray:
        raise Failed(
            f"{', '.join(stray)} is never read by the Doppler CLI; the file is doppler.yaml"
        )
    wanted = answers(repo)
    if wanted.get("publish_via") not in DOPPLER_MODES:
        return "not used in this publish mode"
    setup = (parsed(repo / "doppler.yaml") or {}).get("setup")
    entry = (setup[0] if isinstance(setup, list) and setup else setup) or {}
    found = (entry.get("project"), entry.get("config"))
    expected = (wanted.get("doppler_project"), wanted.get("doppler_config"))
    if found != expected:
        raise Failed(
            f"doppler.yaml names {found[0]}/{found[1]}, answers say {expected[0]}/{expected[1]}"
        )
    return f"{found[0]}/{found[1]}, no .doppler.yaml"


def check_scripts(repo: Path) -> str:
    scripts = sorted((repo / "scripts").glob("*.sh")) + sorted((repo / "scripts").glob("*.mjs"))
    not_executable = [s.name for s in scripts if not os.access(s, os.X_OK)]
    if not_executable:
        raise Failed(f"not executable: {', '.join(not_executable)} (chmod +x)")
    shell = sorted((repo / "scripts").rglob("*.sh"))
    # One bash -n per script, all at once.
    syntax = {
        s: subprocess.Popen(["bash", "-n", str(s)], stderr=subprocess.PIPE, text=True)
        for s in shell
    }
    for script, process in syntax.items():
        _, errors = process.communicate()
        if process.returncode != 0:
            raise Failed(f"bash -n {script.relative_to(repo)}: {errors.strip().splitlines()[0]}")
    return f"{len(scripts)} scripts executable, {len(shell)} pass bash -n"


def makefile_targets(repo: Path) -> set[str]:
    targets = set()
    for line in (repo / "Makefile").read_text(encoding="utf-8").splitlines():
        head, sep, rest = line.partition(":")
        if sep and not line.startswith(("\t", " ", "#")) and not rest.startswith("="):
            targets.update(name for name in head.split() if re.fullmatch(r"[a-z][a-z0-9-]*", name))
    return targets


def check_workflows(repo: Path) -> str:
    targets, called, scripts = makefile_targets(repo), set(), set()
    workflows = sorted((repo / ".github/workflows").glob("*.y*ml"))
    for workflow in workflows:
        for job in (parsed(workflow).get("jobs") or {}).values():
            for step in job.get("steps", []):
                run = step.get("run", "")
                called |= {
                    t
                    for args in MAKE_CALL.findall(run)
                    for t in args.split()
                    if not t.startswith("-")
                }
                scripts |= set(SCRIPT_CALL.findall(run))
    missing = sorted(called - targets) + sorted(s for s in scripts if not (repo / s).is_file())
    if missing:
        raise Failed(f"workflows call what does not exist: {', '.join(missing)}")
    count = f"{len(called)} make targets and {len(scripts)} scripts"
    return f"{len(workflows)} workflows call {count}, all present"


def check_no_jinja(repo: Path) -> str:
    scanned = 0
    for path in files(repo):
        content = text(path)
        if content is None:
            continue
        scanned += 1
        if JINJA.search(GITHUB_EXPRESSION.sub("", content)) or path.suffix == ".jinja":
            raise Failed(f"unrendered Jinja in {path.relative_to(repo)}")
    return f"no unrendered Jinja in {scanned} files"


def check_no_conflicts(repo: Path) -> str:
    rejects = [str(p.relative_to(repo)) for p in files(repo) if p.suffix == ".rej"]
    if rejects:
        listed = ", ".join(sorted(rejects))
        raise Failed(f"copier update left rejected changes: {listed} (merge them, delete the .rej)")
    marked = [
        str(p.relative_to(repo)) for p in files(repo) if CONFLICT_MARKER.search(text(p) or "")
    ]
    if marked:
        raise Failed(
            f"conflict markers in {', '.join(sorted(marked))} (resolve them before committing)"
        )
    return "no conflict markers, no .rej files"


CHECKS: list[tuple[str, Callable[[Path], str]]] = [
    ("files-parse", check_files_parse),
    ("release-config", check_release_config),
    ("project-metadata", check_project_metadata),
    ("versions-agree", check_versions_agree),
    ("doppler-yaml", check_doppler_yaml),
    ("scripts", check_scripts),
    ("workflows", check_workflows),
    ("no-jinja", check_no_jinja),
    ("no-conflicts", check_no_conflicts),
]


def validate(repo: Path) -> int:
    """Run every check, print the checklist, return the number that failed."""
    failed = 0
    for name, check in CHECKS:
        try:
            line, mark = check(repo), "ok  "
        except Failed as problem:
            line, mark, failed = str(problem), "FAIL", failed + 1
        except Exception as error:  # a check that cannot run is a failed check, with its reason
            line, mark, failed = (
                f"could not run: {type(error).__name__}: {error}",
                "FAIL",
                failed + 1,
            )
        print(f"  {mark}  {name:<17} {line}", flush=True)
    print(f"validate: {len(CHECKS) - failed} passed, {failed} failed")
    return failed


def main(argv: list[str]) -> None:
    repo = Path(argv[0] if argv else ".").resolve()
    print(f"validate: {len(CHECKS)} checks of {repo}")
    sys.exit(1 if validate(repo) else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
