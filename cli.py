"""The `qa` console script: the library's commands (qa/cli.py) and those of the layers built on it
(`qa eval`, `qa serve`).

The library's CLI knows nothing of the eval harness above it; the two meet here, where both are visible.
`python -m qa.cli` has the library's commands only; `python -m eval` is `qa eval` alone.
"""
from __future__ import annotations

import click

from eval.cli import eval_command
from qa.cli import main as library


@click.command()
@click.option("--host", default=None, help="Interface to listen on (default: $QA_HOST or 127.0.0.1, loopback only).")
@click.option("--port", type=int, default=None, help="Port (default: $QA_PORT or 7860).")
@click.pass_context
def serve(ctx, host, port):
    """Serve the chat UI and the HTTP API (the same as `python app.py`)."""
    from app import serve as run_server  # imported when used: it loads gradio

    run_server(ctx.obj["home"], host=host, port=port)


main = click.Group("qa", commands=[*library.commands.values(), eval_command, serve], params=library.params,
                   callback=library.callback, help=library.help)

if __name__ == "__main__":  # pragma: no cover
    main()
