"""Where a `copier copy` of this template spends its time: Copier's phases, timed in-process.

Wraps a few of Copier's own (private) methods with timers, so it names the version it measured
and skips a phase whose method this Copier does not have. Runs after one warm-up copy, so
Python's imports are not counted (`import copier` is measured separately, in copy_time).
Copies from a packed clone of HEAD, as copy_time does (bench/published.py).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import copier
import jinja2
from copier import _main, _template

from bench.doppler_env import doppler_env
from bench.published import published_template
from tests.fake_doppler import fake_doppler
from tools.render import DEFAULT_ANSWERS

ROUNDS = 5
# (label, class, attribute): the phases in the order Copier runs them.
PHASES = [
    ("clone the template (git)", _template.Template, "local_abspath"),
    ("questions and answer checks", _main.Worker, "_ask"),
    ("render the files", _main.Worker, "_render_template"),
    ("  of which one `git config` per file", _main.Worker, "_sync_git_index_executable_bit"),
    # Copier compiles every templated string it reads (question fields, path parts, files).
    ("  Jinja compiles, in both phases above", jinja2.Environment, "compile"),
    ("post-copy task (validate, Doppler)", _main.Worker, "_execute_tasks"),
]


def timed(func: Callable, label: str, spent: dict[str, float]) -> Callable:
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started

    return wrapper


def instrument(spent: dict[str, float]) -> list[str]:
    """Wrap every phase Copier still has; return the labels of those it lacks."""
    missing = []
    for label, owner, name in PHASES:
        attribute = owner.__dict__.get(name)
        if isinstance(attribute, functools.cached_property):
            wrapped = functools.cached_property(timed(attribute.func, label, spent))
            wrapped.__set_name__(owner, name)
            setattr(owner, name, wrapped)
        elif callable(attribute):
            setattr(owner, name, timed(attribute, label, spent))
        else:
            missing.append(label)
    return missing


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """Copier's output and the task's (a child process, so at the file-descriptor level)."""
    sys.stdout.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        os.dup2(devnull.fileno(), 2)
    try:
        yield
    finally:
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


def copy_once(template: Path, dest: Path) -> float:
    started = time.perf_counter()
    with silenced():
        copier.run_copy(str(template), dest, data=DEFAULT_ANSWERS, defaults=True, unsafe=True, quiet=True)
    return time.perf_counter() - started


def main() -> None:
    spent: dict[str, float] = defaultdict(float)
    missing = instrument(spent)
    samples: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as scratch, fake_doppler() as (api, _):
        # The task inherits this process's environment: the real Doppler CLI, logged out.
        world = doppler_env(Path(scratch, "home"), api, logged_in=False)
        template = published_template(Path(scratch, "template"))
        os.environ.clear()
        os.environ.update(world)
        copy_once(template, Path(scratch, "warm-up"))
        for round_ in range(ROUNDS):
            spent.clear()
            total = copy_once(template, Path(scratch, f"copy-{round_}"))
            samples["the whole copy"].append(total)
            for label, _, _ in PHASES:
                samples[label].append(spent[label])
            top_level = [label for label, _, _ in PHASES if not label.startswith(" ")]
            samples["the rest of Copier"].append(total - sum(spent[label] for label in top_level))
            files = sum(len(names) for _, _, names in os.walk(Path(scratch, f"copy-{round_}")))
            shutil.rmtree(Path(scratch, f"copy-{round_}"))

    setting = f"Copier {copier.__version__}, in-process, median of {ROUNDS}"
    print(f"where a copy of this template ({files} files) spends its time ({setting}):")
    width = max(map(len, samples))
    for label, values in samples.items():
        if label not in missing:
            print(f"  {label:<{width}} {statistics.median(values):6.3f} s")
    for label in missing:
        print(f"  {label:<{width}} not measured: this Copier has no such method")


if __name__ == "__main__":
    main()
