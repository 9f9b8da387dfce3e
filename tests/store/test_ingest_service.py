"""The ingest service as a library call: what it changes in the calling process is put back afterwards."""

from __future__ import annotations

import gc
import threading

from migrahub.services.ingest import GC_THRESHOLD, ingest


def folder_of(tmp_path, name, n):
    folder = tmp_path / name
    folder.mkdir()
    for i in range(n):
        (folder / f"{i}.txt").write_text(f"Report {i} on the reception of newcomers in a city of the network, "
                                         f"with a language course and a welcome desk number {i}.\n")
    return folder


def test_the_collector_settings_are_put_back_after_overlapping_ingests(tmp_path):
    """Two ingests at once (the web hub's API can run them in two threads), the second ending last: the thresholds
    the process had before come back when the last one ends, and nothing stays frozen."""
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    assert before != GC_THRESHOLD
    a_inside, b_inside, a_done = threading.Event(), threading.Event(), threading.Event()
    results = {}

    def first(done, total, source):
        a_inside.set()
        assert b_inside.wait(30)
        assert gc.get_threshold() == GC_THRESHOLD

    def second(done, total, source):
        b_inside.set()
        assert a_done.wait(30)
        assert gc.get_threshold() == GC_THRESHOLD  # the first ingest ended: this one still runs with its settings

    def run(name, progress, finished=None):
        results[name] = ingest([str(folder_of(tmp_path, name, 3))], tmp_path / f"{name}.sqlite3",
                               extract_entities=False, workers=1, progress=progress)
        if finished:
            finished.set()

    a = threading.Thread(target=run, args=("a", first, a_done))
    b = threading.Thread(target=run, args=("b", second))
    a.start()
    assert a_inside.wait(30)
    b.start()
    a.join(60)
    b.join(60)
    assert results["a"].added == results["b"].added == 3
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


def test_a_hub_in_a_folder_whose_name_holds_uri_characters(tmp_path):
    """'?', '#' and '%' in the hub's path are characters of a file name, not of a URI: the workers' read-only
    connection opens the hub itself (it used to open, and create, another file and fail)."""
    folder = tmp_path / "hub?mode=rw#1%20"
    folder.mkdir()
    summary = ingest([str(folder_of(tmp_path, "docs", 2))], folder / "hub.sqlite3", workers=1)
    assert summary.added == 2 and summary.failed == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "hub?mode=rw#1%20"]
    from migrahub.store.database import connect

    assert connect(folder / "hub.sqlite3", readonly=True).execute("SELECT count(*) FROM documents").fetchone()[0] == 2
