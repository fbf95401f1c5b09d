"""The HTML report: one self-contained page with every participant and an inline SVG timeline."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from moderator.cli import main
from moderator.domain.events import parse_callback
from moderator.store.journal import Journal
from moderator.store.report_html import html_report
from tests.forms import CONFERENCE_SID, START, call_sid, form, team_meeting


class Page(HTMLParser):
    """Collects what the checks need: tags, text, and any attribute that loads something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("src", "href") or k.endswith(":href")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def meeting(tmp_path: Path) -> Journal:
    journal = Journal.in_dir(tmp_path)
    forms = [
        *team_meeting(),
        form("participant-speech-start", 8, who="Mary"),
        form("participant-speech-stop", 20, who="Mary"),
        form("participant-speech-start", 21, who="Charles"),
        form("conference-end", 30),
    ]
    journal.append_callbacks([(START, f, parse_callback(f, START)) for f in forms])
    action = journal.record_action(
        START, CONFERENCE_SID, call_sid("Alice"), "mute", origin="auto-mute"
    )
    journal.finish_action(action, START, ok=True)
    return journal


def test_page_parses_and_holds_everyone_and_an_svg(tmp_path: Path) -> None:
    journal = meeting(tmp_path)
    page = Page()
    page.feed(html_report(journal))
    page.close()
    journal.close()
    text = " ".join(page.text)
    for name in ("Mary", "Alice", "Bob", "Charles"):
        assert name in text
    assert "svg" in page.tags and "table" in page.tags
    assert page.links == []  # self-contained: nothing to fetch
    assert "0:12 (57%)" in text  # Mary talked 12 of the 21 seconds anyone talked
    assert "auto-mute" in text  # the rule's marker in the timeline
    # the timeline's "Conference" row holds the conference's own span, started to ended
    assert any(
        re.fullmatch(r"conference \d\d:\d\d:\d\d to \d\d:\d\d:\d\d UTC", t) for t in page.text
    )


def test_cli_writes_the_page_to_a_file(tmp_path: Path) -> None:
    meeting(tmp_path).close()
    out = tmp_path / "report.html"
    assert main(["report", "--data-dir", str(tmp_path), "--format", "html", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_unwritable_output_is_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    meeting(tmp_path).close()
    target = tmp_path / "missing" / "report.html"
    assert main(["report", "--data-dir", str(tmp_path), "--format", "html", "-o", str(target)]) == 2
    *_, last = capsys.readouterr().err.splitlines()  # after the line naming the journal
    assert last.startswith("moderator report: error: cannot write")


def test_the_timeline_cuts_a_long_name_before_escaping_it(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    who = "AT&T <support> desk, Chicago"
    forms = [
        form("participant-join", 1, who=who),
        form("conference-start", 2),
        form("conference-end", 9),
    ]
    journal.append_callbacks([(START, f, parse_callback(f, START)) for f in forms])
    page = html_report(journal)
    journal.close()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "AT&amp;T &lt;support&gt; desk," in svg  # 22 characters of the name, then escaped
    assert "&g<" not in svg and "&lt;support&g<" not in svg
