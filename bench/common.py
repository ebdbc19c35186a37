"""Shared by the bench scripts: the machine, percentiles, peak memory, result files and subprocesses.

Every figure a reader compares is measured in the same run as what it is compared with, and every result
records the load average and cores of the machine while it was taken (the machine may be shared).
"""
from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results"
CACHE = ROOT / "bench" / ".cache"
DATA = Path(os.environ.get("QA_BENCH_DATA") or ROOT.parent / "shared" / "data" / "realtimeqa")
QUESTIONS = DATA / "questions_dev.jsonl"
CORPUS = DATA / "corpus_2022.jsonl"
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model comes from a package; never reach for the hub
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def cpu_name() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        return next(line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def machine() -> dict:
    """What the numbers were measured on, load included (a shared machine makes absolute figures noisy)."""
    mem = next((int(line.split()[1]) / 2**20 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0.0) if Path("/proc/meminfo").exists() else 0.0
    return {"cpu": cpu_name(), "cores": os.cpu_count(), "ram_gib": round(mem, 1),
            "loadavg": [round(x, 2) for x in os.getloadavg()], "python": platform.python_version()}


def machine_line(m: dict) -> str:
    return (f"{m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, Python {m['python']}; "
            f"load average {m['loadavg'][0]:.1f} / {m['loadavg'][1]:.1f} / {m['loadavg'][2]:.1f} (1 / 5 / 15 min)")


def revision() -> str:
    """The git revision measured, with "+dirty" when the tree has uncommitted changes to tracked files."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=False).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def stamp(load_before: list[float] | None = None) -> dict:
    """When, on which code and under what load a result was taken; `load_before` is `machine()["loadavg"]`
    read when the run started, the load after is read now. Every result file carries it."""
    after = machine()
    return {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "revision": revision(), "machine": after,
            "load_before": load_before if load_before is not None else after["loadavg"],
            "load_after": after["loadavg"]}


def header(s: dict) -> str:
    """The lines every result table starts with: date, revision, machine, load before and after."""
    b, a = s["load_before"], s["load_after"]
    given = os.environ.get("QA_BENCH_RUN_LOAD")
    run_load = [float(x) for x in given.split(",")] if given else None
    return (f"Date: {s['date']}; revision: `{s['revision']}`\n\n"
            f"Machine: {s['machine']['cpu']}, {s['machine']['cores']} cores, {s['machine']['ram_gib']} GiB RAM, "
            f"Python {s['machine']['python']}\n\n"
            f"Load average (1 / 5 / 15 min) before the run {b[0]:.1f} / {b[1]:.1f} / {b[2]:.1f}, "
            f"after {a[0]:.1f} / {a[1]:.1f} / {a[2]:.1f} on {s['machine']['cores']} cores (after: this run's own work "
            f"included)"
            # Other work is what the load before the run shows; the load after is mostly the run itself, and within
            # `bench/run.py` an earlier step still weighs on the averages when the next starts, so there the load
            # before the whole run (QA_BENCH_RUN_LOAD, set by bench/run.py) is the one that tells.
            + (f"; before this `bench/run.py` run {run_load[0]:.1f} / {run_load[1]:.1f} / {run_load[2]:.1f}"
               if run_load else "")
            + (" — **loaded machine: timings are not publishable, ratios only**"
               if (run_load or b)[0] > 0.5 * (s['machine']['cores'] or 1) else "") + "\n")


def stamp_markdown(path: Path, load_before: list[float] | None = None) -> None:
    """Put the `header` lines under the title of a result table a script wrote itself."""
    text = path.read_text(encoding="utf-8")
    title, _, rest = text.partition("\n")
    path.write_text(f"{title}\n\n{header(stamp(load_before))}{rest}", encoding="utf-8")


def rss_mib() -> float:
    """Resident memory of this process now (VmRSS), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    """Peak resident memory of this process (VmHWM), MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def questions(n: int) -> list[dict]:
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    return [{"question": r["question"], "as_of": r["question_date"].replace("/", "-")} for r in rows[:n]]


def run_json(args: list[str], env: dict | None = None, timeout: float = 3600) -> dict:
    """Run a bench step in its own process (clean memory peak, own threads) and read the JSON it prints last."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=full_env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def save(name: str, data: dict, markdown: str, load_before: list[float] | None = None) -> None:
    """Write bench/results/NAME.{json,md}, both stamped with date, revision and load (see `stamp`)."""
    OUT.mkdir(parents=True, exist_ok=True)
    s = stamp(load_before)
    data = {"stamp": s, **data}
    title, _, rest = markdown.partition("\n")
    markdown = f"{title}\n\n{header(s)}{rest}"
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=2, default=str))
    (OUT / f"{name}.md").write_text(markdown)
