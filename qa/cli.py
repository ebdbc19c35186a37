"""`qa` command line: each command is a thin wrapper over one `QA` call."""
from __future__ import annotations

import contextlib
import json
import re
import sys
import time

import click

from qa.reprints import also_in_line


def _qa(ctx):
    from qa.api import QA

    if "qa" not in ctx.obj:
        ctx.obj["qa"] = QA(ctx.obj["home"])
    return ctx.obj["qa"]


@contextlib.contextmanager
def _user_errors():
    """Bad input (an empty question, a wrong date) is a one-line error and exit status 1, not a traceback."""
    try:
        yield
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group()
@click.option("--home", envvar="QA_HOME", type=click.Path(file_okay=False), default=None,
              help="Directory holding the index (default: $QA_HOME or the per-user data dir).")
@click.pass_context
def main(ctx, home):
    """Answer questions from news articles, citing the paragraphs the answer comes from."""
    ctx.ensure_object(dict)
    ctx.obj["home"] = home


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--prune", is_flag=True, help="Remove indexed articles whose files no longer exist.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def ingest(ctx, paths, prune, as_json):
    """Index articles (.txt .md .html .json .jsonl files or directories, or http(s) URLs of article pages)."""
    report = _qa(ctx).ingest(list(paths), prune=prune, progress=not as_json)
    if as_json:
        _echo_json(vars(report))
        return
    for skipped in report.skipped:
        click.echo(f"skipped {skipped['path']}: {skipped['reason']}", err=True)
    click.echo(report.summary())


@main.command()
@click.argument("question")
@click.option("-k", "--top-k", "k", type=int, default=None, help="Number of paragraphs.")
@click.option("--as-of", default=None, help="Answer as of this date (YYYY-MM-DD): no later article is used.")
@click.option("--source", default=None, help="Only articles from this source.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def search(ctx, question, k, as_of, source, as_json):
    """Show the paragraphs retrieved for a question."""
    with _user_errors():
        passages = _qa(ctx).retrieve(question, k=k, as_of=as_of, filters={"source": source} if source else None)
    if as_json:
        _echo_json([p.to_dict() for p in passages])
        return
    for i, p in enumerate(passages, 1):
        click.echo(f"{i}. {p.paragraph_id}  score={p.score:.4f}  {p.title} ({p.source}, {p.published or 'undated'})")
        click.echo(f"   {p.text}\n" + (f"   {also_in_line(p)}\n" if p.also_in else ""))


@main.command()
@click.argument("question")
@click.option("--as-of", default=None, help="Answer as of this date (YYYY-MM-DD): no later article is used.")
@click.option("--source", default=None, help="Only articles from this source.")
@click.option("-k", "--top-k", "k", type=int, default=None, help="Number of paragraphs to read.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def ask(ctx, question, as_of, source, k, as_json):
    """Answer a question with citations."""
    with _user_errors():
        answer = _qa(ctx).ask(question, as_of=as_of, filters={"source": source} if source else None, k=k)
    if as_json:
        _echo_json(answer.to_dict())
        return
    click.echo(answer.text)
    if answer.citations:
        click.echo("\nSources:")
    from qa.citations import place_label

    for c in answer.citations:
        click.echo(f"[{c.n}] {c.title} — {c.source or 'unknown source'}, {c.published or 'undated'}, "
                   f"{place_label(c.paragraph)} ({c.paragraph_id})")
        if c.url:
            click.echo(f"    {c.url}")
        click.echo(f"    “{c.quote}”")
        if c.also_in:
            click.echo(f"    {also_in_line(c)}")


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def articles(ctx, as_json):
    """List the indexed articles."""
    rows = _qa(ctx).articles()
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['article_id']}  {r['published'] or 'undated':10}  {r['n_paragraphs']:3} ¶  "
                   f"{r['source'] or '-'}  {r['title']}")
    click.echo(f"{len(rows)} articles", err=True)


@main.command()
@click.argument("article_id")
@click.pass_context
def delete(ctx, article_id):
    """Remove one article and all its paragraphs from the index."""
    if not _qa(ctx).delete_article(article_id):
        click.echo(f"no article {article_id!r}", err=True)
        sys.exit(1)
    click.echo(f"deleted {article_id}")


@main.command()
@click.option("--repair", is_flag=True, help="Fix what disagrees (rewrite from the manifest, delete orphans).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def doctor(ctx, repair, as_json):
    """Check that the manifest, the vectors and the keyword index agree; exit 1 while problems remain."""
    report = _qa(ctx).doctor(repair=repair)
    if as_json:
        _echo_json(report.to_dict())
    else:
        for line in report.repaired:
            click.echo(f"repaired: {line}")
        for problem in report.problems:
            click.echo(f"{problem.kind}: {problem.article_id or '-'}: {problem.detail}")
        for path in report.reingest:
            click.echo(f"ingest again: {path}")
        click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@main.group()
def feed():
    """Follow RSS 2.0, Atom and sitemap feeds (`qa sync` reads them)."""


@feed.command("add")
@click.argument("url")
@click.pass_context
def feed_add(ctx, url):
    """Follow a feed: its pages are fetched at the next `qa sync`."""
    with _user_errors():
        added = _qa(ctx).add_feed(url)
    click.echo(f"{'following' if added else 'already following'} {url.strip()}")


@feed.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def feed_list(ctx, as_json):
    """The feeds followed, with their last sync and last error."""
    rows = _qa(ctx).feeds()
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        synced = _when(r["last_sync"]) if r["last_sync"] else "never synced"
        click.echo(f"{r['url']}  {r['kind'] or '-'}  {r['items'] or 0} items  {synced}"
                   + (f"  ERROR: {r['last_error']}" if r["last_error"] else ""))
    click.echo(f"{len(rows)} feeds", err=True)


@feed.command("remove")
@click.argument("url")
@click.pass_context
def feed_remove(ctx, url):
    """Stop following a feed (its articles stay indexed)."""
    if not _qa(ctx).remove_feed(url):
        click.echo(f"not following {url!r}", err=True)
        sys.exit(1)
    click.echo(f"removed {url.strip()}")


@main.command()
@click.option("--every", default=None, metavar="INTERVAL",
              help="Keep syncing, once per INTERVAL (30s, 15m, 1h) until Ctrl-C.")
@click.option("--json", "as_json", is_flag=True, help="Print each round's report as JSON.")
@click.pass_context
def sync(ctx, every, as_json):
    """Fetch every feed once and index its new and changed articles."""
    with _user_errors():
        interval = _interval(every) if every else None
    qa = _qa(ctx)
    round_ = 0
    try:
        while True:
            round_ += 1
            report = qa.sync(progress=not as_json and interval is None)
            if as_json:
                _echo_json(report.to_dict())
            else:
                _print_sync(report)
            if interval is None:
                break
            click.echo(f"sync round {round_} done at {_when(time.time())}: {report.summary()}; "
                       f"next in {every}", err=True)
            _pause(interval)
    except KeyboardInterrupt:
        click.echo(f"stopped after {round_} rounds", err=True)


def _print_sync(report) -> None:
    if not report.feeds:
        click.echo("no feeds followed (add one with: qa feed add URL)", err=True)
    for f in report.feeds:
        state = f"ERROR: {f.error}" if f.error else "not modified" if f.not_modified else f.report.summary()
        click.echo(f"{f.url}: {state}")
        for skipped in f.report.skipped:
            click.echo(f"  skipped {skipped['path']}: {skipped['reason']}", err=True)
    click.echo(f"total: {report.total.summary()}")


def _interval(text: str) -> float:
    """"90", "30s", "15m", "1h" -> seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text or "")
    if not match or float(match[1]) <= 0:
        raise ValueError(f"not an interval (use 30s, 15m or 1h): {text!r}")
    return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


if __name__ == "__main__":  # pragma: no cover
    main()
