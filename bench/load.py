"""Load: N concurrent clients ask questions for a bounded time while articles are uploaded and ingested.

    python bench/load.py [--clients 50] [--duration 120] [--max-requests 20000] [--upload 60] [--concurrency 1]

Starts `python app.py` (the production entry point) on a free loopback port, over a copy of a home with the
seed, tests/corpus and 40 generated articles (built once in bench/.cache). Each question is first asked alone,
then the clients ask in a loop through three paths: POST /api/ask, /api/ask with stream=true (SSE), and
Gradio's queued /gradio_api/call/ask (what the UI and gradio_client use). Meanwhile one more client uploads
`--upload` generated articles through POST /api/articles, 5 per request. An answer under load is correct when
it equals (text and cited paragraph ids) the answer asked alone before or after the ingest. Afterwards the
server is stopped and `qa doctor` checks the index. Results: bench/results/load.{md,json,png}, one run per
--concurrency setting (the md lists every run in load.json).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import stamp_markdown  # noqa: E402
from bench.load_report import write_report  # noqa: E402
from tests.live_server import free_port  # noqa: E402
from tests.synthetic import article, fact  # noqa: E402

QUESTIONS = ["What did Robin Li say about large models?", "What did the Tencent executive say?",
             "How many daily active users does Kuaishou have?", "How much will the Riverton flood barrier cost?",
             "Who is the head librarian of the Northfield Public Library?", "Which project got its final permit this week?",
             "What did Elon Musk say at the Wuzhen summit?", "When was the 2023 World Internet Conference held?",
             *(fact(n)[0] for n in (3, 17, 29))]
MODES = ("api", "stream", "gradio")
CACHE = ROOT / "bench" / ".cache" / "load-home"


def base_home() -> Path:
    if not (CACHE / "manifest").exists():
        from qa import QA
        from tests.synthetic import write_articles

        with tempfile.TemporaryDirectory() as tmp:
            qa = QA(CACHE)
            qa.ingest([ROOT / "data" / "articles", ROOT / "tests" / "corpus", write_articles(Path(tmp), 40)])
            qa.close()
    return CACHE


def signature(answer: dict) -> tuple:
    return answer["text"], tuple(c["paragraph_id"] for c in answer["citations"])


def ask(client: httpx.Client, url: str, mode: str, question: str) -> dict:
    """The Answer as a dict, by one of the three paths; raises on any error."""
    if mode == "gradio":
        job = client.post(f"{url}/gradio_api/call/ask", json={"data": [question, "", "", "", "", 0, ""]})
        job.raise_for_status()
        events = client.get(f"{url}/gradio_api/call/ask/{job.json()['event_id']}").text
        if "event: complete" not in events:
            raise RuntimeError(f"gradio: {events[-300:]}")
        return json.loads(events.split("event: complete", 1)[1].split("data: ", 1)[1].splitlines()[0])[0]
    response = client.post(f"{url}/api/ask", json={"question": question, "stream": mode == "stream"})
    response.raise_for_status()
    if mode == "api":
        return response.json()
    last = response.text.strip().split("\n\n")[-1]
    if not last.startswith("event: answer"):
        raise RuntimeError(f"stream: {last[:300]}")
    return json.loads(last.split("data: ", 1)[1])


def start_server(home: Path, concurrency: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "QA_HOME": str(home), "QA_PORT": str(port), "QA_CONCURRENCY": str(concurrency),
           "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    env.pop("QA_AUTH", None)
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not start")


def uploader(url: str, count: int, out: dict) -> None:
    with httpx.Client(timeout=600) as client:
        for first in range(1000, 1000 + count, 5):
            files = [("files", (f"load-{n}.txt", article(n).encode(), "text/plain"))
                     for n in range(first, min(first + 5, 1000 + count))]
            started = time.perf_counter()
            try:
                results = client.post(f"{url}/api/articles", files=files).json()
                out["added"] += sum(r["status"] == "added" for r in results)
                out["failed"] += [r for r in results if r["status"] != "added"]
            except Exception as exc:  # noqa: BLE001 - counted
                out["failed"].append(repr(exc))
            out["latency"].append(time.perf_counter() - started)
    out["finished_at"] = time.monotonic()


def clients(url: str, n: int, duration: float, max_requests: int, seed: int) -> list[dict]:
    results: list[dict] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def run(i: int) -> None:
        rng, mode = random.Random(seed + i), MODES[i % len(MODES)]
        with httpx.Client(timeout=300) as client:
            while time.monotonic() < deadline:
                with lock:
                    if len(results) >= max_requests:
                        return
                question = rng.choice(QUESTIONS)
                started = time.perf_counter()
                row = {"mode": mode, "question": question, "at": time.monotonic()}
                try:
                    row["answer"] = signature(ask(client, url, mode, question))
                except Exception as exc:  # noqa: BLE001 - an error is a result
                    row["error"] = f"{type(exc).__name__}: {exc}"[:300]
                row["latency"] = time.perf_counter() - started
                with lock:
                    results.append(row)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main() -> None:
    load_before = [round(x, 2) for x in os.getloadavg()]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--upload", type=int, default=60, help="articles uploaded during the load")
    parser.add_argument("--concurrency", type=int, default=1, help="Gradio default_concurrency_limit (QA_CONCURRENCY)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(base_home(), home)
        proc, url = start_server(home, args.concurrency)
        try:
            with httpx.Client(timeout=300) as client:
                before = {q: signature(ask(client, url, "api", q)) for q in QUESTIONS}
                print(f"server {url}: {len(QUESTIONS)} questions asked alone; {args.clients} clients for "
                      f"{args.duration:g}s with {args.upload} articles uploaded", flush=True)
                upload = {"added": 0, "failed": [], "latency": [], "started_at": time.monotonic()}
                loads = [os.getloadavg()[0]]
                up = threading.Thread(target=uploader, args=(url, args.upload, upload))
                up.start()
                rows = clients(url, args.clients, args.duration, args.max_requests, args.seed)
                loads.append(os.getloadavg()[0])
                up.join()
                after = {q: signature(ask(client, url, "api", q)) for q in QUESTIONS}
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        doctor = subprocess.run([sys.executable, "-m", "qa.cli", "--home", str(home), "doctor", "--json"],
                                env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    for row in rows:
        row["correct"] = "answer" in row and row["answer"] in (before[row["question"]], after[row["question"]])
    run = {"concurrency": args.concurrency, "clients": args.clients, "duration": args.duration,
           "cpus": os.cpu_count(), "load_avg": loads, "upload": {k: v for k, v in upload.items() if k != "failed"}
           | {"failed": upload["failed"][:5]}, "changed_by_ingest": sum(before[q] != after[q] for q in QUESTIONS),
           "doctor": json.loads(doctor.stdout) if doctor.stdout else {"ok": False, "error": doctor.stderr[-500:]},
           "rows": [{k: v for k, v in r.items() if k != "answer"} for r in rows]}
    print(write_report(run, ROOT / "bench" / "results"))
    stamp_markdown(ROOT / "bench" / "results" / "load.md", load_before)


if __name__ == "__main__":
    main()
