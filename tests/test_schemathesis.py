"""The OpenAPI schema through Schemathesis against the running service (a real server on a free loopback port):
no request it generates, valid or not, gets a 5xx. The `st` CLI runs it (schemathesis 4's pytest plugin does not
load under pytest 9), bounded to a few examples per operation; the longer run is in docs/reliability.md:

    st run http://127.0.0.1:7860/openapi.json --checks not_a_server_error --max-examples 100 --seed 1
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from app import create_server
from tests.live_server import copied_qa, running
from web.settings import WebSettings

# /api/ask, /api/search, /api/articles (GET, POST), /api/articles/{id} (DELETE), /api/health,
# /api/feeds (GET, POST, DELETE), /api/feeds/sync
OPERATIONS = 10


@pytest.fixture(scope="module")
def url(built_home, tmp_path_factory):
    qa = copied_qa(built_home, tmp_path_factory.mktemp("schemathesis"))
    with running(create_server(qa, WebSettings(max_upload_mb=0.05, max_files=2))) as url:
        yield url
    qa.close()


@pytest.mark.skipif(not shutil.which("st"), reason="schemathesis is not installed (pip install -e .[test])")
def test_no_generated_request_gets_a_server_error(url, tmp_path):
    report = tmp_path / "events.ndjson"
    run = subprocess.run(
        ["st", "run", f"{url}/openapi.json", "--checks", "not_a_server_error", "--max-examples", "10",
         "--seed", "1", "--phases", "examples,coverage,fuzzing", "--workers", "1", "--request-timeout", "120",
         "--generation-database", "none", "--no-color", "--report", "ndjson", "--report-ndjson-path", str(report)],
        capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:]
    events = [json.loads(line) for line in report.read_text().splitlines()]
    statuses = [i["response"]["status_code"] for e in events for i in _interactions(e)]
    print(f"\nschemathesis: {len(statuses)} requests, statuses {sorted(set(statuses))}\n" + run.stdout[-1500:])
    assert len(statuses) >= 5 * OPERATIONS and not [s for s in statuses if s >= 500]


def _interactions(event: dict):
    """The request/response pairs recorded in one ndjson event, wherever this schemathesis version puts them."""
    if isinstance(event, dict):
        if "response" in event and isinstance(event["response"], dict) and "status_code" in event["response"]:
            yield event
        for value in event.values():
            if isinstance(value, (dict, list)):
                yield from _interactions(value)
    elif isinstance(event, list):
        for value in event:
            yield from _interactions(value)
