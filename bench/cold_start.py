"""Cold start: process start to first answer (`qa ask`) and to a served page (`python app.py`).

    python bench/cold_start.py [--runs 3]

`qa ask` runs in a fresh process against a home holding the seed article: the first run builds the index,
later runs of the same question show a start that finds its vectors cached, and runs with a question never
asked before show a start that encodes it (with the numpy encoder: neither torch nor sentence-transformers
is imported on the way to an answer) (medians). `python app.py` is polled over HTTP
until / answers 200. `python -X importtime` gives the import share of the big libraries.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import CACHE, ROOT, machine  # noqa: E402

QUESTION = "What did Robin Li say about large models?"
LIBRARIES = ["torch", "sentence_transformers", "transformers", "chromadb", "llama_index.core", "gradio", "bm25s"]


def env(home: Path, **extra) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "QA_HOME": str(home), **extra}


def ask_once(home: Path, question: str = QUESTION) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qa.cli", "ask", question], cwd=ROOT, env=env(home), check=True,
                   capture_output=True)
    return time.perf_counter() - start


def app_ready(home: Path, port: int, timeout: float = 180) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env(home, QA_PORT=str(port)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < timeout:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("app.py did not serve a page")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def import_times(modules: list[str]) -> dict[str, float]:
    """Cumulative import seconds of each library, each in a fresh interpreter (shared deps counted in each)."""
    out = {}
    for module in modules:
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], cwd=ROOT,
                              env=env(CACHE), capture_output=True, text=True)
        last = [line for line in proc.stderr.splitlines() if re.search(rf"\|\s*{re.escape(module)}$", line)]
        out[module] = int(last[-1].split("|")[1]) / 1e6 if last else float("nan")
    return out


def measure(runs: int) -> dict:
    from tests.live_server import free_port

    home = CACHE / "cold-home"
    shutil.rmtree(home, ignore_errors=True)
    first = ask_once(home)
    warm = sorted(ask_once(home) for _ in range(runs))
    # A question never asked before: its vector is not cached, so the process encodes it.
    new = sorted(ask_once(home, f"{QUESTION[:-1]} in Wuzhen, take {time.time():.0f}-{i}?") for i in range(runs))
    app = sorted(app_ready(home, free_port()) for _ in range(max(1, runs - 1)))
    return {"ask_first_s": first, "ask_warm_s": warm, "ask_warm_median_s": warm[len(warm) // 2],
            "ask_new_question_s": new, "ask_new_question_median_s": new[len(new) // 2], "app_ready_s": app, "app_ready_median_s": app[len(app) // 2],
            "imports_s": import_times(LIBRARIES + ["qa.cli", "app"]), "machine": machine()}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    print(json.dumps(measure(ap.parse_args().runs)))
