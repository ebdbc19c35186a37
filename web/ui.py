"""UI helpers: the look (theme, CSS, the [n] click script) and turning exceptions into messages."""
from __future__ import annotations

import functools
import os
from datetime import date
from pathlib import Path

import gradio as gr

from web.service import describe_error

# Gradio reads this whenever it builds or mounts an app: no analytics, no version check, no calls home.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

STATIC = Path(__file__).resolve().parent / "static"


def theme() -> gr.themes.Base:
    # Fonts shipped with Gradio or the system's: the page must render without internet. Gradio's
    # IBM Plex Sans SemiBold is a 99-glyph subset with odd letters, so 600 falls back to the 700 face.
    plex = gr.themes.LocalFont("IBM Plex Sans", weights=(400, 700))
    return gr.themes.Soft(primary_hue="blue", neutral_hue="slate",
                          font=[plex, "ui-sans-serif", "system-ui", "sans-serif"])


def look() -> dict:
    """What `Blocks.launch` and `gr.mount_gradio_app` take to style the app."""
    return {"theme": theme(), "css_paths": [STATIC / "app.css"], "js": (STATIC / "app.js").read_text("utf-8")}


def friendly(fn):
    """Show an error as a message (a Gradio toast) rather than a stack trace."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as exc:  # noqa: BLE001 - the point of the wrapper: a message, not a trace
            raise gr.Error(describe_error(exc), print_exception=False) from None

    return wrapper


def as_of_box() -> gr.Textbox:
    """The date questions are asked as of: today by default (computed at each page load, not at start-up),
    shown under the question so an answer's date window is never a hidden setting."""
    return gr.Textbox(value=lambda: date.today().isoformat(), label="As of", placeholder="YYYY-MM-DD",
                      elem_id="qa-as-of", max_lines=1, max_length=40, scale=1, min_width=150)


def example_text(event: gr.SelectData) -> str:
    return event.value["text"]


def selected_article(event: gr.SelectData) -> str | None:
    """Clicking a row of the articles table picks that article for deletion (the id is the last column)."""
    row = event.row_value or []
    return row[-1] if row else None


def add_api(service) -> None:
    """Plain endpoints for `gradio_client` (`/ask`, `/search`) next to the UI's own (`/chat`, `/upload`...)."""
    from web.service import clean_filters

    def ask(question: str, as_of: str = "", source: str = "", date_from: str = "", date_to: str = "",
            k: int = 0, answerer: str = "") -> dict:
        """Answer a question; the Answer as a dict: text with [n] markers, refused, citations."""
        filters = clean_filters(source=source, date_from=date_from, date_to=date_to)
        return service.ask(question, as_of=as_of, filters=filters, k=k, answerer=answerer).to_dict()

    def search(question: str, k: int = 0, as_of: str = "", source: str = "") -> list[dict]:
        """The paragraphs retrieved for a question, best first."""
        passages = service.search(question, k=k, as_of=as_of, filters=clean_filters(source=source))
        return [p.to_dict() for p in passages]

    gr.api(friendly(ask), api_name="ask")
    gr.api(friendly(search), api_name="search")
