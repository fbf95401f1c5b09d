"""Known callers: phone number → name and "always admit", with CSV text in and out.

The host's own list, kept on this computer (store/address_book_file.py) and never sent anywhere.
Phone numbers are compared in a normalised form, so "+1 (415) 555-0100" and "+14155550100"
match; other identities Twilio puts in From (`client:…`, `sip:…`) match only exactly, since a
dot or a dash there names someone else. Names never hold control characters (a NUL, an escape,
a bidi override): they are shown on tiles, in logs and reports.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from moderator.domain.csv_cells import read_cell, safe_cell

CSV_COLUMNS = ("number", "name", "always_admit")
_NOT_DIALLED = re.compile(r"[\s().\-/]")
_NUMBER = re.compile(r"\+?[0-9*#]{2,20}|client:[\w.@-]{1,120}|sip:\S{1,200}")
_TRUE = {"1", "true", "yes", "y", "x"}
_IDENTITY = ("client:", "sip:")  # not phone numbers: compared exactly
# explicit bidi embeddings, overrides and isolates: they make a name read as another one
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}
PROGRESS_EVERY = 10_000  # rows between two progress reports while reading a CSV


class AddressBookError(ValueError):
    """A CSV the book cannot read (one line for the host: which row and why)."""


def normalise(number: str) -> str:
    """A phone number as Twilio sends it in From: no spaces, brackets, dots or dashes.

    A `client:` or `sip:` identity is kept as written (only trimmed): `sip:boss@corp.example.com`
    and `sip:boss@corp-example.com` are different people.
    """
    text = number.strip()
    if text.lower().startswith(_IDENTITY):
        return text
    return _NOT_DIALLED.sub("", text)


def clean_name(name: str) -> str:
    """A name as shown: one space between words, no control or bidi-override characters."""
    kept = "".join(
        " " if unicodedata.category(ch) == "Cc" else ch for ch in name if ch not in _BIDI
    )
    return " ".join(kept.split())


def is_number(number: str) -> bool:
    """Whether `number` looks like something Twilio puts in From (E.164, client:, sip:)."""
    return bool(_NUMBER.fullmatch(normalise(number)))


class Contact(NamedTuple):
    """A known caller. A tuple of strings and a bool: the garbage collector stops tracking it,
    so a book of a million callers adds nothing to the collector's full passes."""

    number: str  # normalised
    name: str
    always_admit: bool = False


class AddressBook:
    """Number → Contact. A value object: every change returns a new book."""

    def __init__(self, contacts: dict[str, Contact] | None = None) -> None:
        self._contacts: dict[str, Contact] = dict(contacts or {})

    @classmethod
    def _adopt(cls, contacts: dict[str, Contact]) -> AddressBook:
        """A book owning `contacts` (made for it: not copied again)."""
        book = cls()
        book._contacts = contacts
        return book

    def __len__(self) -> int:
        return len(self._contacts)

    def __iter__(self) -> Iterator[Contact]:
        return iter(sorted(self._contacts.values(), key=lambda c: (c.name.lower(), c.number)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AddressBook) and self._contacts == other._contacts

    def __hash__(self) -> int:  # pragma: no cover - books are not dict keys; keep eq consistent
        return hash(tuple(sorted(self._contacts.items())))

    def get(self, number: str | None) -> Contact | None:
        return self._contacts.get(normalise(number)) if number else None

    def name_of(self, number: str | None) -> str | None:
        contact = self.get(number)
        return contact.name if contact and contact.name else None

    def always_admits(self, number: str | None) -> bool:
        contact = self.get(number)
        return contact is not None and contact.always_admit

    def with_name(self, number: str, name: str) -> AddressBook:
        """Name (or, with an empty name and no "always admit", forget) a number."""
        key = normalise(number)
        if not is_number(key):
            raise AddressBookError(f"{number!r} is not a phone number")
        old = self._contacts.get(key, Contact(key, ""))
        return self._put(old._replace(name=clean_name(name)))

    def with_always_admit(self, number: str, always: bool) -> AddressBook:
        key = normalise(number)
        if not is_number(key):
            raise AddressBookError(f"{number!r} is not a phone number")
        old = self._contacts.get(key, Contact(key, ""))
        return self._put(old._replace(always_admit=always))

    def merged(self, other: AddressBook) -> AddressBook:
        """This book with `other`'s contacts added (other wins for a number in both)."""
        # one Python-level step a contact, not one C call for all: run on a worker thread, a
        # big import's merge then lets the event loop's thread in between (the GIL)
        contacts = dict(self._contacts)
        for number, contact in other._contacts.items():
            contacts[number] = contact
        return AddressBook._adopt(contacts)

    def _put(self, contact: Contact) -> AddressBook:
        contacts = dict(self._contacts)
        if contact.name or contact.always_admit:
            contacts[contact.number] = contact
        else:
            contacts.pop(contact.number, None)
        return AddressBook._adopt(contacts)

    # ---- CSV -------------------------------------------------------------------------------

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for contact in self:
            name = safe_cell(contact.name)  # `=HYPERLINK(…)` stays text in a spreadsheet
            writer.writerow([contact.number, name, "yes" if contact.always_admit else ""])
        return out.getvalue()

    @classmethod
    def from_csv(cls, text: str) -> AddressBook:
        """Read `number,name[,always_admit]` rows from CSV text (see `from_lines`)."""
        return cls.from_lines(io.StringIO(text))

    @classmethod
    def from_lines(
        cls, lines: Iterable[str], progress: Callable[[int], None] | None = None
    ) -> AddressBook:
        """Read `number,name[,always_admit]` rows; a header row is optional.

        A row whose number is not a phone number is an error naming the row, so a wrong file
        (or a wrong column order) is refused whole instead of half imported; so is a file the
        CSV reader cannot parse (an unterminated quote, a field over the reader's limit).
        `progress` hears the count of rows read every PROGRESS_EVERY rows.
        """
        contacts: dict[str, Contact] = {}
        reader = csv.reader(lines, strict=True)
        row_number = 0
        try:
            for row_number, row in enumerate(reader, start=1):
                if progress is not None and row_number % PROGRESS_EVERY == 0:
                    progress(row_number)
                contact = _contact(row_number, row)
                if contact is not None:
                    contacts[contact.number] = contact
        except csv.Error as exc:
            raise AddressBookError(
                f"row {row_number + 1} (line {reader.line_num}) is not CSV: {exc}"
            ) from None
        return cls._adopt(contacts)


def _contact(line: int, row: list[str]) -> Contact | None:
    """The contact a CSV row names (None: a blank or header row); AddressBookError if wrong."""
    cells = [cell.strip() for cell in row]
    if not any(cells):
        return None
    if line == 1 and cells[0].lower() in ("number", "phone", "phone number"):
        return None
    number = normalise(cells[0])
    if not is_number(number):
        raise AddressBookError(f"row {line}: {clean_name(cells[0])[:40]!r} is not a phone number")
    name = clean_name(read_cell(cells[1])) if len(cells) > 1 else ""
    always = len(cells) > 2 and cells[2].lower() in _TRUE
    return Contact(number, name, always)
