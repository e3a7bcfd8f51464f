"""Watch every process's argv while something runs: a secret must never appear there."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def argv_containing(secret: str) -> Iterator[list[str]]:
    """Sample /proc/*/cmdline until the block ends; yields the list of command lines that held it.

    Sampling can miss a process that lives only between two samples; the long-lived ones that
    handle a token (uv publish, doppler) are seen.
    """
    needle, seen, done = secret.encode(), [], threading.Event()

    def sample() -> None:
        while not done.is_set():
            for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                try:
                    raw = cmdline.read_bytes()
                except OSError:
                    continue  # the process ended while we looked
                if needle in raw:
                    seen.append(raw.replace(b"\0", b" ").decode(errors="replace"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield seen
    finally:
        done.set()
        sampler.join()
