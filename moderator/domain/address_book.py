"""Known callers: phone number → name and "always admit", with CSV text in and out.

The host's own list, kept on this computer (store/address_book_file.py) and never sent anywhere.
Numbers are compared in a normalised form, so "+1 (415) 555-0100" and "+14155550100" match.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

CSV_COLUMNS = ("number", "name", "always_admit")
_NOT_DIALLED = re.compile(r"[\s().\-/]")
_NUMBER = re.compile(r"\+?[0-9*#]{2,20}|client:[\w.@-]{1,120}|sip:\S{1,200}")
_TRUE = {"1", "true", "yes", "y", "x"}


class AddressBookError(ValueError):
    """A CSV the book cannot read (one line for the host: which row and why)."""


def normalise(number: str) -> str:
    """The number as Twilio sends it in From: no spaces, brackets, dots or dashes."""
    return _NOT_DIALLED.sub("", number.strip())


def is_number(number: str) -> bool:
    """Whether `number` looks like something Twilio puts in From (E.164, client:, sip:)."""
    return bool(_NUMBER.fullmatch(normalise(number)))


@dataclass(frozen=True)
class Contact:
    number: str  # normalised
    name: str
    always_admit: bool = False


class AddressBook:
    """Number → Contact. A value object: every change returns a new book."""

    def __init__(self, contacts: dict[str, Contact] | None = None) -> None:
        self._contacts: dict[str, Contact] = dict(contacts or {})

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
        return self._put(replace(old, name=" ".join(name.split())))

    def with_always_admit(self, number: str, always: bool) -> AddressBook:
        key = normalise(number)
        if not is_number(key):
            raise AddressBookError(f"{number!r} is not a phone number")
        old = self._contacts.get(key, Contact(key, ""))
        return self._put(replace(old, always_admit=always))

    def merged(self, other: AddressBook) -> AddressBook:
        """This book with `other`'s contacts added (other wins for a number in both)."""
        return AddressBook({**self._contacts, **other._contacts})

    def _put(self, contact: Contact) -> AddressBook:
        contacts = dict(self._contacts)
        if contact.name or contact.always_admit:
            contacts[contact.number] = contact
        else:
            contacts.pop(contact.number, None)
        return AddressBook(contacts)

    # ---- CSV -------------------------------------------------------------------------------

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for contact in self:
            writer.writerow([contact.number, contact.name, "yes" if contact.always_admit else ""])
        return out.getvalue()

    @classmethod
    def from_csv(cls, text: str) -> AddressBook:
        """Read `number,name[,always_admit]` rows; a header row is optional.

        A row whose number is not a phone number is an error naming the row, so a wrong file
        (or a wrong column order) is refused whole instead of half imported.
        """
        contacts: dict[str, Contact] = {}
        for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if line == 1 and cells[0].lower() in ("number", "phone", "phone number"):
                continue
            number = normalise(cells[0])
            if not is_number(number):
                raise AddressBookError(f"row {line}: {cells[0]!r} is not a phone number")
            name = " ".join(cells[1].split()) if len(cells) > 1 else ""
            always = len(cells) > 2 and cells[2].lower() in _TRUE
            contacts[number] = Contact(number, name, always)
        return cls(contacts)
