"""One line of the hooks' report: a label, then its text, wrapped to the terminal's width.

On a terminal the text wraps at word boundaries under its label, and a `command` in backticks
stays on one line (so it can be copied whole). Piped or logged output keeps one line per entry.
"""

from __future__ import annotations

import sys

GUTTER = 12  # "  " + the label padded to 10 columns


def say(label: str, text: str) -> None:
    print(wrap(f"  {label:<{GUTTER - 3}} {text}", GUTTER, terminal_width()), flush=True)


def terminal_width() -> int | None:
    """The width to wrap at, or None when stdout is not a terminal."""
    if not sys.stdout.isatty():
        return None
    import shutil  # only on a terminal: most reports are piped

    return shutil.get_terminal_size().columns


def wrap(line: str, indent: int, width: int | None) -> str:
    """The line wrapped to width with later lines indented; unchanged when width is None or it fits."""
    if width is None or len(line) <= width:
        return line
    import re
    import textwrap

    # textwrap breaks at ASCII spaces only: a NUL (never in a path or an answer) keeps a command whole.
    kept = re.sub(r"`[^`]*`", lambda command: command.group().replace(" ", "\0"), line)
    lines = textwrap.wrap(
        kept,
        width=max(width, indent + 20),
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
        drop_whitespace=True,
    )
    return "\n".join(lines).replace("\0", " ")
