"""The feeds panel of the Articles tab: the feeds followed (last sync, last error), add, remove, sync now.

Layout in `panel()`, events in `wire()`; each callback is one `Service` call and a table or message.
"""
from __future__ import annotations

from html import escape
from types import SimpleNamespace

import gradio as gr

from web import ui

FEED_HEADERS = ["Feed", "Kind", "Items", "Last sync (UTC)", "Last error"]


def feed_rows(feeds: list[dict]) -> list[list]:
    return [[f["url"], f["kind"] or "", f["items"] if f["items"] is not None else "",
             (f["last_sync"] or "never").replace("T", " ").removesuffix("+00:00"), f["last_error"] or ""]
            for f in feeds]


def sync_html(report: dict) -> str:
    """One line per feed (what was added / updated / ... or why it failed), then the total."""
    lines = []
    for feed in report["feeds"]:
        if feed["error"]:
            state = f"<span class='qa-feed-error'>failed: {escape(feed['error'])}</span>"
        elif feed["not_modified"]:
            state = "not modified since the last sync"
        else:
            state = escape(_counts(feed))
        skipped = "".join(f"<li>skipped {escape(s['path'])}: {escape(s['reason'])}</li>" for s in feed["skipped"])
        lines.append(f"<li><b>{escape(feed['url'])}</b>: {state}<ul>{skipped}</ul></li>")
    total = escape(_counts(report["total"]))
    return f"<div class='qa-notice' id='qa-sync-report'><ul>{''.join(lines)}</ul>Total: {total}</div>"


def _counts(report: dict) -> str:
    return ", ".join(f"{len(report[k])} {k}" for k in ("added", "updated", "unchanged", "removed", "skipped"))


def panel() -> SimpleNamespace:
    with gr.Accordion("Feeds (RSS, Atom, sitemaps)", open=True, elem_id="qa-feeds-panel"):
        gr.Markdown("Followed feeds are read by *Sync now* (or `qa sync --every 15m`): new and changed articles "
                    "are indexed, an article whose page is gone (404/410) is removed, one that only left the "
                    "feed stays.", elem_classes="qa-hint")
        table = gr.Dataframe(headers=FEED_HEADERS, label="Feeds", interactive=False, wrap=True, elem_id="qa-feeds",
                             column_widths=["40%", "8%", "7%", "17%", "28%"])
        with gr.Row():
            url = gr.Textbox(label="Feed URL", placeholder="https://example.com/feed.xml", scale=4,
                             elem_id="qa-feed-url", max_length=2000)
            add = gr.Button("Add feed", scale=1, elem_id="qa-feed-add")
            remove = gr.Button("Remove feed", scale=1, variant="stop", elem_id="qa-feed-remove")
            sync = gr.Button("Sync now", scale=1, variant="primary", elem_id="qa-feed-sync")
        notice = gr.HTML(elem_id="qa-feed-notice")
    return SimpleNamespace(table=table, url=url, add=add, remove=remove, sync=sync, notice=notice)


def wire(demo: gr.Blocks, service, feeds: SimpleNamespace, after_sync) -> None:
    """Events of the panel; `after_sync` (a list of outputs and the function refreshing them) runs after a
    sync, so the articles table shows what came in."""
    @ui.friendly
    def list_feeds():
        return feed_rows(service.feeds())

    @ui.friendly
    def add(url):
        if not (url or "").strip():
            raise gr.Error("Type a feed URL first.", print_exception=False)
        added = service.add_feed(url)
        text = "Following" if added else "Already following"
        return f"<div class='qa-notice'>{text} <b>{escape(url.strip())}</b>; <i>Sync now</i> reads it.</div>", \
            list_feeds(), ""

    @ui.friendly
    def remove(url):
        url = (url or "").strip()
        if not url:
            raise gr.Error("Type the feed to remove, or click its row.", print_exception=False)
        gone = service.remove_feed(url)
        text = f"Removed <b>{escape(url)}</b> (its articles stay)." if gone else f"Not following <b>{escape(url)}</b>."
        return f"<div class='qa-notice'>{text}</div>", list_feeds(), ""

    @ui.friendly
    def sync():
        return sync_html(service.sync()), list_feeds()

    def pick(event: gr.SelectData):
        row = event.row_value or []
        return row[0] if row else ""

    demo.load(list_feeds, None, feeds.table, api_name="feeds")
    feeds.add.click(add, feeds.url, [feeds.notice, feeds.table, feeds.url], api_name="add_feed")
    feeds.url.submit(add, feeds.url, [feeds.notice, feeds.table, feeds.url], api_visibility="private")
    feeds.remove.click(remove, feeds.url, [feeds.notice, feeds.table, feeds.url], api_name="remove_feed")
    feeds.table.select(pick, None, feeds.url, api_visibility="private")
    outputs, refresh = after_sync
    feeds.sync.click(sync, None, [feeds.notice, feeds.table], api_name="sync").then(
        refresh, None, outputs, api_visibility="private")
