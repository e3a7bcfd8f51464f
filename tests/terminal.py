"""Reading what a child process writes to its pseudo-terminal (the tests that drive prompts)."""

from __future__ import annotations

import os
import re
import select
import time

ANSI_CODE = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def until(fd: int, marker: bytes, timeout: float = 30) -> bytes:
    """Read until the screen, colour and cursor codes removed, shows marker; fail after timeout."""
    data, deadline = b"", time.monotonic() + timeout
    while marker not in ANSI_CODE.sub(b"", data) and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                data += os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
    assert marker in ANSI_CODE.sub(b"", data), data.decode(errors="replace")[-2000:]
    return data


def drain(fd: int, timeout: float = 60) -> bytes:
    """Everything the child still writes, until it closes the terminal; fail after timeout."""
    data, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not select.select([fd], [], [], 0.2)[0]:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return data
        if not chunk:
            return data
        data += chunk
    raise AssertionError(f"still open after {timeout} s, waiting for input?\n{data.decode(errors='replace')[-2000:]}")
