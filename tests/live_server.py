"""Real servers for the tests, on free loopback ports: `create_server` under uvicorn in a thread (UI tests),
and llama.cpp's OpenAI-compatible server in a subprocess (the `openai` answerer)."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import httpx
import uvicorn

ARTICLE = """Orchard Valley opens solar-powered ferry terminal
By Priya Natarajan

ORCHARD VALLEY (Harbor Gazette) May 2, 2024 -- The Orchard Valley ferry terminal reopened on Thursday with a \
rooftop solar array that supplies most of the power for its charging docks.

Lena Voss, director of the Orchard Valley Port Authority, said the new terminal would cut the ferry line's diesel \
use by 40 percent within two years.

The electric ferries carry up to 150 passengers and cross the bay in 18 minutes.
"""
ARTICLE_QUESTION = "What did Lena Voss say about diesel use?"
ROBIN_LI = "What did Robin Li say about large models?"


def copied_qa(built_home, folder):
    """A QA over a private copy of the session's built home (seed + test corpus), for a module's server."""
    import shutil

    from qa import QA

    shutil.copytree(built_home, folder / "home")
    return QA(folder / "home")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(app, auth: tuple[str, str] | None = None, timeout: float = 60):
    """Serve `app` until the block ends; yields the base URL once /api/health answers."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                if httpx.get(f"{url}/api/health", auth=auth, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"server on {url} did not start")
            time.sleep(0.2)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextlib.contextmanager
def llama_cpp_server(model_path, alias: str = "qwen-local", timeout: float = 180):
    """`python -m llama_cpp.server` on `model_path`; yields the /v1 base URL once /v1/models answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model_path),
                             "--host", "127.0.0.1", "--port", str(port), "--model_alias", alias,
                             "--n_ctx", "4096"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("llama.cpp server did not start") from None
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
