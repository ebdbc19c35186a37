"""The `qa` CLI is a thin wrapper over QA: each command checked through Click's runner, with --json."""
from __future__ import annotations

import json

from click.testing import CliRunner

from qa import REFUSAL
from qa.cli import main
from tests.conftest import CORPUS


def run(*args, home):
    result = CliRunner().invoke(main, ["--home", str(home), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_ingest_json_reports_counts(tmp_path):
    report = json.loads(run("ingest", str(CORPUS), "--json", home=tmp_path / "h"))
    assert len(report["added"]) == 7 and report["skipped"] == [] and report["paragraphs"] > 20


def test_ask_json_has_the_api_fields(built_home):
    data = json.loads(run("ask", "What did Robin Li say about large models?", "--json", home=built_home))
    assert data["refused"] is False and data["text"].endswith("[1]")
    citation = data["citations"][0]
    assert set(citation) >= {"n", "article_id", "paragraph_id", "paragraph", "title", "published", "source", "url",
                             "text", "quote"}
    assert citation["paragraph"] == 5 and citation["quote"] in citation["text"]


def test_ask_prints_the_refusal(built_home):
    out = run("ask", "What did Elon Musk say at the Wuzhen summit?", home=built_home)
    assert out.strip() == REFUSAL


def test_ask_text_lists_sources(built_home):
    out = run("ask", "What did Robin Li say about large models?", home=built_home)
    assert "Sources:" in out and "paragraph 5" in out and "[1]" in out


def test_search_json_and_as_of(built_home):
    rows = json.loads(run("search", "flood barrier funding", "--as-of", "2024-04-01", "--json", home=built_home))
    assert rows and all(r["published"] <= "2024-04-01" for r in rows)
    assert rows[0]["paragraph_id"].startswith("riverton-flood-barrier")
    assert set(rows[0]) >= {"article_id", "title", "paragraph", "paragraph_id", "text", "score", "published", "source"}


def test_articles_lists_what_is_indexed(built_home):
    rows = json.loads(run("articles", "--json", home=built_home))
    assert len(rows) == 8 and {r["source"] for r in rows} >= {"JW Insights", "Coastal Times"}


def test_delete_removes_an_article(tmp_path):
    home = tmp_path / "h"
    run("ingest", str(CORPUS), "--json", home=home)
    assert "deleted brief-001" in run("delete", "brief-001", home=home)
    assert "brief-001" not in [r["article_id"] for r in json.loads(run("articles", "--json", home=home))]
    result = CliRunner().invoke(main, ["--home", str(home), "delete", "brief-001"])
    assert result.exit_code == 1 and "no article" in result.output


def test_bad_date_is_a_clear_error(built_home):
    result = CliRunner().invoke(main, ["--home", str(built_home), "ask", "anything", "--as-of", "yesterday"])
    assert result.exit_code == 1 and "Error: not a date (use YYYY-MM-DD)" in result.output


def test_the_console_script_composes_the_library_eval_and_serve_commands():
    import importlib
    import tomllib

    from tests.conftest import ROOT

    target = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["qa"]
    module, _, attribute = target.partition(":")
    script = getattr(importlib.import_module(module), attribute)
    assert set(script.commands) == set(main.commands) | {"eval", "serve"}
    assert "eval" not in main.commands  # the library's own group knows nothing of the harness above it
    assert "serve" not in main.commands  # nor of the web layer
    result = CliRunner().invoke(script, ["eval", "--help"])
    assert result.exit_code == 0
    assert "--dataset" in result.output
    result = CliRunner().invoke(script, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output
