"""`moderator report`: attendance and timeline from the journal, with the console closed."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from moderator.commands.arguments import Parser, console_data_dir
from moderator.private import FILE_MODE, narrow

if TYPE_CHECKING:
    from moderator.domain.address_book import AddressBook


def parser() -> argparse.ArgumentParser:
    from moderator.store.report import FORMATS

    parser = Parser(
        prog="moderator report", description="Attendance and timeline from the journal."
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="the console's data folder")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="the journal `moderator --demo` keeps (the demo folder inside the data folder)",
    )
    parser.add_argument("--conference", metavar="SID|NAME", help="only this conference")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout"
    )
    return parser


def run(argv: Sequence[str]) -> int:
    from moderator.store.journal import Journal, JournalError
    from moderator.store.report import ReportError, build_report, render
    from moderator.store.report_html import html_report

    args = parser().parse_args(argv)
    try:
        journal = Journal.in_dir(console_data_dir(args.data_dir, args.demo), create=False)
    except JournalError as exc:
        hint = "" if args.demo else " (the demo keeps its own: moderator report --demo)"
        print(f"moderator report: error: {exc}{hint}", file=sys.stderr)
        return 2
    # on stderr, so that stdout is only the report (clean JSON or CSV for a pipe)
    print(f"moderator report: journal {journal.path}", file=sys.stderr)
    book, problem = _address_book(journal.path.parent)
    if problem:
        print(f"moderator report: {problem}", file=sys.stderr)
    try:
        if args.format == "html":
            text = html_report(journal, args.conference, book.name_of)
        else:
            text = render(build_report(journal, args.conference, book.name_of), args.format)
        if args.output is None:
            sys.stdout.write(text)
        else:
            args.output.write_text(text, encoding="utf-8")
            narrow(args.output, FILE_MODE)  # it names callers
    except ReportError as exc:
        print(f"moderator report: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"moderator report: error: cannot write {args.output}: {exc}", file=sys.stderr)
        return 2
    finally:
        journal.close()
    return 0


def _address_book(data_dir: Path) -> tuple[AddressBook, str | None]:
    """The console's address book, read only (the report names callers with it)."""
    from moderator.domain.address_book import AddressBook, AddressBookError
    from moderator.store.address_book_file import book_path, read_book

    try:
        return read_book(book_path(data_dir)), None
    except AddressBookError as exc:
        return AddressBook(), f"callers are not named: {exc}"
