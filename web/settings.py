"""Settings of the service (not of the pipeline): where it listens, who may use it, what it accepts.

Read from the environment: `QA_HOST` (default 127.0.0.1, loopback only), `QA_PORT` (7860),
`QA_AUTH` (`user:pass` turns on HTTP basic auth for the UI and the API), `QA_MAX_UPLOAD_MB` (20),
`QA_CONCURRENCY` (how many UI/gradio_client events run at once; bench/load.py measured the default).
"""
from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field

UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")


class WebSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(7860, ge=0, le=65535)
    auth: str = ""  # "user:pass"; empty means no auth
    max_upload_mb: float = Field(20, gt=0)
    max_files: int = Field(20, ge=1)  # per upload request
    upload_types: tuple[str, ...] = UPLOAD_TYPES
    concurrency: int = Field(16, ge=1, le=64)  # Gradio's default_concurrency_limit; see bench/results/load.md

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def credentials(self) -> tuple[str, str] | None:
        if not self.auth:
            return None
        user, sep, password = self.auth.partition(":")
        if not sep or not user or not password:
            raise ValueError("QA_AUTH must look like user:password")
        return user, password


def web_settings(environ=None, **overrides) -> WebSettings:
    """Settings from the environment, then `overrides` (explicit arguments win)."""
    environ = os.environ if environ is None else environ
    names = {"host": "QA_HOST", "port": "QA_PORT", "auth": "QA_AUTH", "max_upload_mb": "QA_MAX_UPLOAD_MB",
             "concurrency": "QA_CONCURRENCY"}
    values = {key: environ[name] for key, name in names.items() if environ.get(name)}
    return WebSettings.model_validate({**values, **overrides})
