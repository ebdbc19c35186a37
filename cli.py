"""The `qa` console script: the library's commands (qa/cli.py) and those of the layers built on it.

The library's CLI knows nothing of the eval harness above it; the two meet here, where both are visible.
`python -m qa.cli` has the library's commands only; `python -m eval` is `qa eval` alone.
"""
from __future__ import annotations

import click

from eval.cli import eval_command
from qa.cli import main as library

main = click.Group("qa", commands=[*library.commands.values(), eval_command], params=library.params,
                   callback=library.callback, help=library.help)

if __name__ == "__main__":  # pragma: no cover
    main()
