"""`flowc run`, `flowc show` and `flowc resume` against an s3:// datastore (moto's S3 server on 127.0.0.1)."""

from __future__ import annotations

import json
import os

from local_support import EXAMPLES, FLOWS


def test_run_and_show_on_s3(s3_flowc):
    f = s3_flowc
    f.ok("run", str(EXAMPLES / "switch_in_foreach.py"), "--datastore", f.store, "--run-id", "s3run")
    out = f.ok("show", "SwitchInForeachFlow/s3run", "--artifact", "pairs", "--json", "--datastore", f.store).stdout
    # 3 -> 10, 8 -> 4, 5 -> 16, 12 -> 6
    assert json.loads(out) == [[3, 10], [8, 4], [5, 16], [12, 6]]
    assert not (f.cwd / ".flowc").exists()


def test_failure_and_resume_on_s3(s3_flowc):
    f = s3_flowc
    marker = f.cwd / "marker"
    failed = f("run", str(FLOWS / "failing.py"), "--param", f"marker={marker}", "--datastore", f.store,
               "--run-id", "one")
    assert failed.returncode == 1
    assert "ValueError: no marker file for item 2" in failed.stderr
    assert f"logs: {f.store}/FailingFlow/runs/one/middle/1/attempt-0/stderr.log" in failed.stderr
    marker.touch()
    f.ok("resume", "one", str(FLOWS / "failing.py"), "--datastore", f.store, "--run-id", "two")
    from flowc.runtime import Run

    run = Run("FailingFlow/two", f.store)
    assert run["end"].task.data.result == 13  # (2 + 4 + 6) + 1
    assert run["start"].task.done["origin"]["run_id"] == "one"


def test_cards_on_s3(s3_flowc, tmp_path):
    f = s3_flowc
    f.ok("run", str(FLOWS / "cards.py"), "--datastore", f.store, "--run-id", "cards")
    rows = json.loads(f.ok("card", "list", "CardsFlow/cards/train", "--json", "--datastore", f.store).stdout)
    assert [(r["type"], r["id"], r["path"]) for r in rows] == [("blank", "summary", None), ("default", "main", None)]
    page = f.ok("card", "get", "CardsFlow/cards/train", "--id", "summary", "--datastore", f.store).stdout
    assert "<h1>Training summary</h1>" in page
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f"#!/bin/sh\necho \"$1\" > {opened}\n")
    browser.chmod(0o755)
    f.env["BROWSER"] = str(browser)
    done = f.ok("card", "view", "CardsFlow/cards/train", "--id", "summary", "--datastore", f.store, process=True)
    copy = done.stdout.strip().removeprefix("opened ")  # a remote card is copied to a local file first
    assert opened.read_text().strip() == f"file://{copy}"
    with open(copy, encoding="utf-8") as handle:
        assert handle.read() == page
    os.unlink(copy)
    assert not (f.cwd / ".flowc").exists()
