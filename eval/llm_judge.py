"""The `llm` citation judge: an entailment question to a language model, independent of the grounding guard.

"Do these passages, together, support this sentence? yes or no" is asked through the prompt file
`prompts/judge.md` to the local GGUF model (`qa.llm` `local`, `llm.model_path` or the bundled model) or to any
OpenAI-compatible server (`openai`, `llm.base_url` / `llm.model`). Greedy decoding (temperature 0), a one-word
answer read by `parse_verdict`, generation stopped as soon as the verdict is read. Verdicts are cached in
QA_HOME/cache/judge.sqlite by a hash of the model and the rendered prompt, so re-running an eval costs nothing
and a changed prompt or model is never served an old verdict. No code of qa/guard.py or qa/grounding.py runs.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from qa.prompts import render

if TYPE_CHECKING:  # qa.llm is imported on first use only
    from qa.llm import Generator

log = logging.getLogger(__name__)
PROMPT = "judge"
# The first verdict word wins: "No." / "**Yes**" / "Answer: no" / {"supported": false}. "not supported" is tried
# before "supported", "unsupported" is its own word.
_VERDICT = re.compile(r"not supported|unsupported|supported|\byes\b|\bno\b|\btrue\b|\bfalse\b", re.IGNORECASE)
_YES = {"yes", "true", "supported"}
_JSON_BOOL = re.compile(r'"\w+"\s*:\s*(true|false)', re.IGNORECASE)
JUDGE_MAX_TOKENS = 16  # the smallest llm.max_tokens allows; the verdict is the first word


def parse_verdict(text: str) -> bool | None:
    """True for yes, False for no, None when the reply holds neither."""
    json_value = _JSON_BOOL.search(text)  # {"supported": false}: the value, not the key, is the verdict
    if json_value:
        return json_value.group(1).lower() == "true"
    match = _VERDICT.search(text)
    return None if match is None else match.group(0).lower() in _YES


def verdict_complete(reply: str) -> bool:
    """Whether the reply so far already holds its verdict, so generation can stop."""
    if "{" in reply:
        return "}" in reply
    match = _VERDICT.search(reply)
    return match is not None and match.end() < len(reply)  # a whole word: "no" may be the start of "not supported"


def render_prompt(sentence: str, paragraphs: list[str]) -> str:
    return render(PROMPT, sentence=sentence.strip(), passages=[p.strip() for p in paragraphs])


def check_template() -> None:
    """The template must show the sentence and every passage: a template that drops one fails here, not in a run."""
    text = render_prompt("SENTENCE-0x5e", ["PASSAGE-0x1", "PASSAGE-0x2"])
    missing = [v for v in ("SENTENCE-0x5e", "PASSAGE-0x1", "PASSAGE-0x2") if v not in text]
    if missing:
        raise ValueError(f"prompts/{PROMPT}.md does not show {missing} (it must use `sentence` and `passages`)")


class VerdictCache:
    """key (sha256 of model id + prompt) -> verdict, in one SQLite file."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, supported INTEGER, reply TEXT)")
        self._lock = threading.Lock()

    def get(self, key: str) -> bool | None:
        with self._lock:
            row = self._db.execute("SELECT supported FROM verdicts WHERE key = ?", (key,)).fetchone()
        return None if row is None else bool(row[0])

    def put(self, key: str, supported: bool, reply: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?)", (key, int(supported), reply))


class LLMJudge:
    """`supports(sentence, paragraphs)` by asking a language model; `name` says which model."""

    def __init__(self, settings, backend: str = "local", cache: bool = True):
        if backend not in ("local", "openai"):
            raise ValueError(f"no llm judge backend {backend!r}; choose local or openai")
        check_template()
        llm = settings.llm.model_copy(update={"max_tokens": JUDGE_MAX_TOKENS})
        if backend == "local":
            from qa.llm.model_file import bundled_model

            path = Path(llm.model_path).expanduser() if llm.model_path else bundled_model(settings.home)
            if not path.is_file():
                raise FileNotFoundError(f"llm judge: model file {path} not found (set llm.model_path)")
            llm = llm.model_copy(update={"model_path": str(path)})
            self.model_id = f"{path.name}|{path.stat().st_size}"
            self.name = f"llm ({path.name})"
        else:
            self.model_id = f"{llm.base_url}|{llm.model}"
            self.name = f"llm (openai {llm.model} at {llm.base_url})"
        self.settings = settings.model_copy(update={"llm": llm})
        self.backend = backend
        self.cache = VerdictCache(settings.home / "cache" / "judge.sqlite") if cache else None
        self.unparsed = 0  # replies with no yes/no, counted as "not supported"
        self.last_cached = False  # whether the last verdict came from the cache (latency is measured without)
        self._generator: Generator | None = None

    @property
    def generator(self) -> Generator:
        if self._generator is None:  # loaded on the first uncached question: a cached re-run needs no model
            from qa.llm import make_generator

            self._generator = make_generator(self.backend, self.settings)
        return self._generator

    def supports(self, sentence: str, paragraphs: list[str]) -> bool:
        prompt = render_prompt(sentence, paragraphs)
        key = hashlib.sha256(json.dumps([self.model_id, prompt]).encode()).hexdigest()
        cached = self.cache.get(key) if self.cache else None
        self.last_cached = cached is not None
        if cached is not None:
            return cached
        reply = self.ask(prompt)
        verdict = parse_verdict(reply)
        if verdict is None:
            self.unparsed += 1
            log.warning("llm judge: no yes/no in the reply %r; counted as not supported", reply[:80])
        supported = bool(verdict)
        if self.cache:
            self.cache.put(key, supported, reply)
        return supported

    def ask(self, prompt: str) -> str:
        reply = ""
        stream = self.generator.stream([{"role": "user", "content": prompt}])
        try:
            for piece in stream:
                reply += piece
                if verdict_complete(reply):
                    break
        finally:
            stream.close()  # stops generating: the rest of the reply is not needed
        return reply
