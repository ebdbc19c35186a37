"""Questions answered from several threads while an ingest writes: what bench/load.py does over HTTP, in one
process, so a failure points at the library. Both bugs the load bench found are pinned here."""
from __future__ import annotations

import threading

from index.embed import Embedder
from tests.synthetic import article, fact

ROBIN_LI = "What did Robin Li say about large models?"


def in_threads(*targets) -> list[str]:
    """Run the targets in threads that all start together (a barrier); the errors they raised."""
    errors: list[str] = []
    start = threading.Barrier(len(targets))

    def guarded(target):
        try:
            start.wait(timeout=60)
            target()
        except Exception as exc:  # noqa: BLE001 - collected, asserted by the caller
            errors.append(f"{type(exc).__name__}: {exc}"[:300])

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_windows_and_encode_share_the_tokenizer_safely():
    """`encode` turns padding and truncation on in the shared fast tokenizer; `windows` must not run meanwhile
    (it used to fail with 'Unable to create tensor' or cut windows wrong: bench/load.py found it)."""
    embedder = Embedder("all-minilm-l6-v2")
    long = " ".join(f"word{i} about the harbour crane contract" for i in range(300))
    expected = embedder.windows(long)
    assert len(expected) > 1
    # Ingest cuts a whole article's paragraphs in one tokenizer call: the same spans as one at a time.
    texts = [long, "short", long[:1500], ""]
    one_by_one = [embedder.windows(t) for t in texts]
    assert embedder.windows_of(texts) == one_by_one
    assert one_by_one[0] == expected
    assert one_by_one[1] == [(0, 5)]

    def cut():
        for _ in range(40):
            assert embedder.windows(long) == expected

    def encode():
        for _ in range(15):
            assert embedder.encode(["a short question", long[:2500]]).shape == (2, embedder.dimension)

    assert in_threads(cut, cut, encode, encode) == []


def test_questions_while_an_ingest_commits_and_rebuilds_bm25(fresh_qa, tmp_path):
    """Each ingest commit moves the manifest's generation, so questions rebuild BM25 while others search it
    (a search used to read a half-rebuilt index); every answer must stay the one asked alone.

    Two threads ask without pause while a third ingests 12 articles one by one; before the next article the
    ingest waits until a question that started after its commit has been answered, so every state of the
    index is asked about, whatever the speed of either side."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    done = threading.Event()
    alone = fresh_qa.ask(ROBIN_LI)
    asked = []  # the ingest step (articles committed) each answered question started at
    step = [0]
    answered = threading.Condition()

    def ingest():
        try:
            for n in range(12):
                path = folder / f"report-{n}.txt"
                path.write_text(article(n))
                assert fresh_qa.ingest([path]).added
                with answered:
                    step[0] = n + 1
                    if not answered.wait_for(lambda after=n + 1: after in asked, timeout=300):
                        raise TimeoutError(f"no question was answered after article {n}")
        finally:
            done.set()

    def ask():
        while not done.is_set():
            with answered:
                started_at = step[0]
            answer = fresh_qa.ask(ROBIN_LI)
            with answered:
                asked.append(started_at)
                answered.notify_all()
            assert (answer.text, answer.citations) == (alone.text, alone.citations)

    assert in_threads(ingest, ask, ask) == []
    assert set(range(1, 13)) <= set(asked)  # questions were answered after each of the 12 commits
    assert fresh_qa.doctor().ok
    question, words = fact(11)
    assert all(w in fresh_qa.ask(question).citations[0].text for w in words)


def test_a_half_written_article_is_not_retrieved(fresh_qa):
    """Its vectors are in Chroma before `commit`; retrieval shows only `done` articles."""
    from tests.test_doctor import half_written

    half_written(fresh_qa)  # a copy of the seed article, pending, with its first paragraph's vector
    ids = [p.paragraph_id for p in fresh_qa.retrieve("Wuzhen summit World Internet Conference", k=20)]
    assert ids
    assert not [i for i in ids if i.startswith("half-written#")]
    fresh_qa.store.manifest.commit("half-written")
    ids = [p.paragraph_id for p in fresh_qa.retrieve("Wuzhen summit World Internet Conference", k=20)]
    assert "half-written#p1" in ids
