"""The address book: normalised numbers, names, "always admit", CSV in and out."""

from __future__ import annotations

import pytest

from moderator.domain.address_book import AddressBook, AddressBookError, normalise


def test_numbers_match_however_they_are_written() -> None:
    book = AddressBook().with_name("+1 (415) 555-0101", "  Alice   Smith ")
    assert normalise("+1 415.555-0101") == "+14155550101"
    assert book.name_of("+14155550101") == "Alice Smith"
    assert book.name_of("+14155550102") is None
    assert book.name_of(None) is None


def test_changes_return_a_new_book() -> None:
    empty = AddressBook()
    named = empty.with_name("+14155550101", "Alice")
    assert len(empty) == 0 and len(named) == 1
    admitted = named.with_always_admit("+14155550101", True)
    assert admitted.always_admits("+14155550101") and not named.always_admits("+14155550101")
    # an empty name and no "always admit": forgotten
    assert len(admitted.with_always_admit("+14155550101", False).with_name("+14155550101", "")) == 0


def test_not_a_number_is_refused() -> None:
    with pytest.raises(AddressBookError, match="not a phone number"):
        AddressBook().with_name("Alice", "Alice")


def test_csv_round_trip() -> None:
    book = (
        AddressBook()
        .with_name("+14155550101", "Alice, from Sales")
        .with_name("client:bob", "Bob")
        .with_always_admit("+14155550102", True)
    )
    text = book.to_csv()
    assert text.splitlines()[0] == "number,name,always_admit"
    assert AddressBook.from_csv(text) == book


def test_csv_without_header_and_loose_cells() -> None:
    book = AddressBook.from_csv("+1 415 555 0101, Alice ,YES\n\n+14155550102,Bob\n")
    assert book.always_admits("+14155550101")
    assert book.name_of("+14155550102") == "Bob"
    assert not book.always_admits("+14155550102")


def test_a_wrong_csv_is_refused_whole_naming_the_row() -> None:
    with pytest.raises(AddressBookError, match="row 2: 'Alice'"):
        AddressBook.from_csv("+14155550101,Bob\nAlice,+14155550102\n")


def test_merged_prefers_the_imported_contact() -> None:
    mine = AddressBook().with_name("+14155550101", "Al")
    theirs = AddressBook().with_name("+14155550101", "Alice").with_name("+14155550102", "Bob")
    merged = mine.merged(theirs)
    assert merged.name_of("+14155550101") == "Alice" and len(merged) == 2
