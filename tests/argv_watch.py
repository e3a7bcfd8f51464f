"""Watch every process's argv while something runs: a secret must never appear there."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def argv_containing(secret: str) -> Iterator[list[str]]:
    """Sample /proc/*/cmdline until the block ends; yields the list of command lines that held it.

    Sampling can miss a process that lives only between two samples; the long-lived ones that
    handle a token (uv publish, doppler) are seen. It looks at least once, after the block if need be;
    a watch that stopped early fails the test.
    """
    needle, seen, done = secret.encode(), [], threading.Event()
    stopped = []

    def sample() -> None:
        try:
            while True:  # one full look at least, however short the block
                finished = done.is_set()
                for pid in os.listdir("/proc"):
                    if not pid.isdigit():
                        continue
                    try:
                        raw = Path("/proc", pid, "cmdline").read_bytes()
                    except OSError:
                        continue  # the process ended while we looked
                    if needle in raw:
                        seen.append(raw.replace(b"\0", b" ").decode(errors="replace"))
                if finished:
                    break
        except BaseException as error:  # a dead sampler would report "never seen" for everything after
            stopped.append(error)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield seen
    finally:
        done.set()
        sampler.join()
    assert not stopped, f"the argv watch stopped early: {stopped[0]!r}"
