"""The chat UI and the HTTP API in one process: `qa serve` (or `python app.py`) serves http://127.0.0.1:7860.

`build_app(qa)` is the Gradio UI over a `QA`; `create_server(qa)` puts it on a FastAPI app next to the
JSON API (`web/api.py`), behind basic auth when `QA_AUTH` is set. Callbacks only call `Service` (a thin
layer over `QA`, shared with the API) and format with `web.render`.
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
from fastapi import FastAPI

from qa.constants import MAX_QUESTION_CHARS
from web import feeds_ui, render, ui
from web.api import api_router
from web.auth import BasicAuth
from web.service import Service, describe_error
from web.settings import WebSettings, web_settings

PLACEHOLDER = ("**Ask about the news articles in the index.** Every answer cites the paragraphs it comes from; "
               "click a **[n]** to see the paragraph. Add your own articles in the *Articles* tab.")


def build_app(qa, service: Service | None = None) -> gr.Blocks:
    """The Gradio UI over `qa` (styled by `ui.look()`: pass it to `launch` when not using `create_server`)."""
    service = service or Service(qa, web_settings())
    with gr.Blocks(title="News QA", analytics_enabled=False) as demo:
        turns = gr.State([])
        with gr.Row(elem_id="qa-header"):
            gr.HTML("<h1>News QA</h1><div class='qa-tagline'>Answers from news articles, citing the paragraphs "
                    "they come from.</div>")
            status = gr.HTML(elem_id="qa-status")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                a = _ask_tab(qa, service)
            with gr.Tab("Articles", id="articles"):
                b = _articles_tab(service.settings)

        @ui.friendly
        def list_articles():
            rows = service.articles()
            return (render.article_rows(rows), gr.update(choices=render.article_choices(rows), value=None),
                    render.status_line(service.status()), gr.update(choices=service.sources()))

        def respond(message, history, sources, start, end, as_of, k, answerer):
            if not (message or "").strip():
                raise gr.Error("Type a question first.", print_exception=False)
            for current in service.converse(history, message, as_of=as_of, k=k, answerer=answerer,
                                            source=sources, date_from=start, date_to=end):
                yield "", render.chat_messages(current), render.sources_html(current), current

        def upload(paths, progress=gr.Progress()):
            batch = [(Path(p).name, Path(p)) for p in paths or []]
            done = service.upload(batch, progress=lambda i, n, name: progress((i, n), desc=f"Indexing {name}"))
            return render.result_rows(done), None, *list_articles()

        @ui.friendly
        def delete_article(article_id):
            if not article_id:
                raise gr.Error("Choose an article to delete.", print_exception=False)
            gone = service.delete(article_id)
            text = f"Deleted <b>{escape(article_id)}</b>." if gone else f"No article <b>{escape(article_id)}</b>."
            return f'<div class="qa-notice">{text}</div>', *list_articles()

        listing = [b.table, b.to_delete, status, a.source]
        ask_inputs = [a.question, turns, a.source, a.date_from, a.date_to, a.as_of, a.top_k, a.answerer]
        ask_outputs = [a.question, a.chatbot, a.panel, turns]
        gr.on([a.question.submit, a.ask.click], respond, ask_inputs, ask_outputs, api_name="chat")
        a.chatbot.example_select(ui.example_text, None, a.question, api_visibility="private").then(
            respond, ask_inputs, ask_outputs, api_visibility="private")
        a.new_chat.click(lambda: ([], render.sources_html([]), []), None, [a.chatbot, a.panel, turns],
                         api_visibility="private")
        demo.load(list_articles, None, listing, api_name="articles")
        b.files.upload(upload, b.files, [b.results, b.files, *listing], api_name="upload")
        b.delete.click(delete_article, b.to_delete, [b.notice, *listing], api_name="delete")
        b.table.select(ui.selected_article, None, b.to_delete, api_visibility="private")
        feeds_ui.wire(demo, service, b.feeds, (listing, list_articles))
        ui.add_api(service)
    # Events that run at once; the rest wait in Gradio's queue (the JSON API has its own thread pool).
    return demo.queue(default_concurrency_limit=service.settings.concurrency)


def _ask_tab(qa, service: Service) -> SimpleNamespace:
    """The chat on the left, the sources of its answers on the right, filters under the chat."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(elem_id="qa-chat", show_label=False, height=520, placeholder=PLACEHOLDER,
                                 feedback_options=None, buttons=["copy"],
                                 examples=[{"text": q} for q in render.EXAMPLES])
            with gr.Row():
                question = gr.Textbox(elem_id="qa-question", show_label=False, scale=6, autofocus=True,
                                      placeholder="Ask a question about the articles…", max_length=MAX_QUESTION_CHARS)
                ask = gr.Button("Ask", elem_id="qa-ask", variant="primary", scale=1, min_width=80)
            with gr.Row(equal_height=True):
                as_of = ui.as_of_box()
                gr.Markdown("No article published after the *as of* date is used, and newer articles are "
                            "preferred.", elem_classes="qa-hint")
            with gr.Accordion("Filters and answerer", open=False, elem_id="qa-filters"):
                with gr.Row():
                    source = gr.Dropdown(label="Source", multiselect=True, choices=[], scale=2, elem_id="qa-source")
                    date_from = gr.Textbox(label="Published from", placeholder="YYYY-MM-DD", elem_id="qa-from")
                    date_to = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD", elem_id="qa-to")
                with gr.Row():
                    top_k = gr.Slider(1, 20, step=1, value=qa.settings.retrieval.top_k, label="Top-k paragraphs read")
                    answerer = gr.Dropdown(label="Answerer", choices=service.answerers(),
                                           value=qa.settings.answer.backend)
                gr.Markdown("*As of* a date: no article published later is used, and newer articles are preferred. "
                            "Dates are YYYY-MM-DD.", elem_classes="qa-hint")
            new_chat = gr.Button("New conversation", size="sm", variant="secondary")
        with gr.Column(scale=2):
            gr.HTML("<h3 class='qa-panel-title'>Sources</h3>")
            panel = gr.HTML(render.sources_html([]), elem_id="qa-sources-panel")
    return SimpleNamespace(chatbot=chatbot, question=question, ask=ask, source=source, date_from=date_from,
                           date_to=date_to, as_of=as_of, top_k=top_k, answerer=answerer, new_chat=new_chat,
                           panel=panel)


def _articles_tab(settings: WebSettings) -> SimpleNamespace:
    """Upload with a result per file, the table of indexed articles (searchable), delete."""
    gr.Markdown(f"Add articles ({' '.join(settings.upload_types)}, up to {settings.max_upload_mb:g} MB each). "
                "A file that cannot be read is reported and skipped; the others are added.")
    files = gr.File(label="Upload articles", file_count="multiple", elem_id="qa-upload", height=150,
                    file_types=list(settings.upload_types))
    results = gr.Dataframe(headers=render.RESULT_HEADERS, label="Upload results", interactive=False, wrap=True,
                           elem_id="qa-upload-results", column_widths=["22%", "10%", "9%", "10%", "49%"])
    table = gr.Dataframe(headers=render.ARTICLE_HEADERS, label="Indexed articles", interactive=False, wrap=True,
                         elem_id="qa-articles", show_search="search", max_height=420,
                         column_widths=["46%", "16%", "11%", "9%", "18%"])
    with gr.Row():
        to_delete = gr.Dropdown(label="Article", choices=[], scale=4, elem_id="qa-delete-choice",
                                info="Pick one, or click its row in the table.")
        delete = gr.Button("Delete article", variant="stop", scale=1, elem_id="qa-delete")
    notice = gr.HTML(elem_id="qa-notice")
    feeds = feeds_ui.panel()
    return SimpleNamespace(files=files, results=results, table=table, to_delete=to_delete, delete=delete,
                           notice=notice, feeds=feeds)


def create_server(qa, settings: WebSettings | None = None) -> FastAPI:
    """The FastAPI app: /api/..., /openapi.json and the UI at /, all behind basic auth when configured."""
    service = Service(qa, settings or web_settings())
    server = FastAPI(title="news-qa", summary="Question answering over news articles, with paragraph citations.",
                     docs_url=None, redoc_url=None)  # Swagger UI's assets come from a CDN: not offline
    server.include_router(api_router(service))
    blocks = build_app(qa, service)
    gr.mount_gradio_app(server, blocks, path="/", footer_links=["api", "settings"], run_history=False,
                        max_file_size=service.settings.max_upload_bytes, ssr_mode=False, mcp_server=False,
                        **ui.look())
    # Gradio only checks that a file named in a request was uploaded through it (not any server path) in
    # apps it launched itself; `has_launched` is the flag that check reads. Without it, a crafted /upload
    # call could make the app index any .txt file on the server (tests/test_app.py checks this).
    blocks.has_launched = True
    if service.settings.credentials:
        server.add_middleware(BasicAuth, credentials=service.settings.credentials)
    return server


def serve(home: str | Path | None = None, host: str | None = None, port: int | None = None) -> None:
    """Serve the UI and the API until interrupted (`qa serve` and `python app.py`). `host` and `port` override
    QA_HOST and QA_PORT; `home` overrides QA_HOME."""
    import sys

    import uvicorn

    from qa import QA

    overrides = {key: value for key, value in (("host", host), ("port", port)) if value is not None}
    try:
        settings = web_settings(**overrides)
        _ = settings.credentials  # reading it validates QA_AUTH before anything starts
        qa = QA(home)
        print("news-qa: checking the index (the default corpus is indexed on first start)…", flush=True)
        qa.ensure_corpus()
        server = create_server(qa, settings)
    except Exception as exc:  # noqa: BLE001 - a message, not a traceback, for a misconfiguration
        sys.exit(f"news-qa: cannot start: {describe_error(exc)}")
    print(f"news-qa: open http://{settings.host}:{settings.port}/  (API schema: /openapi.json)", flush=True)
    uvicorn.run(server, host=settings.host, port=settings.port, log_level="warning")


def main(argv: list[str] | None = None) -> None:
    """`python app.py [--host H] [--port P]`: the options of `qa serve`, parsed by the same command."""
    import sys

    from cli import main as cli

    cli(["serve", *(sys.argv[1:] if argv is None else argv)], prog_name="app.py")


if __name__ == "__main__":
    main()
