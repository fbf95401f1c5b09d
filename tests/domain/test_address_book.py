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


def test_always_admit_matches_other_identities_only_exactly() -> None:
    book = (
        AddressBook()
        .with_always_admit("sip:boss@corp.example.com", True)
        .with_always_admit("client:alice.smith", True)
        .with_always_admit("+1 (312) 555-0101", True)
    )
    assert book.always_admits("sip:boss@corp.example.com")
    assert not book.always_admits("sip:boss@corp-example.com")
    assert book.always_admits("client:alice.smith")
    assert not book.always_admits("client:alicesmith")
    assert not book.always_admits("client:alice-smith")
    assert book.always_admits("+13125550101")  # phone numbers still match however written
    assert normalise(" client:alice.smith ") == "client:alice.smith"


def test_csv_the_reader_cannot_parse_is_an_address_book_error() -> None:
    with pytest.raises(AddressBookError, match="row 2"):
        AddressBook.from_csv('+14155550101,Alice\n+14155550102,"Bob\n')  # unterminated quote
    with pytest.raises(AddressBookError, match="field limit"):
        AddressBook.from_csv("+14155550101," + "x" * 131_073 + "\n")


def test_names_hold_no_control_characters() -> None:
    book = AddressBook.from_csv('+14155550101,"Al\x00ice\x1b[31m\u202eevil\r\nSmith"\n')
    assert book.name_of("+14155550101") == "Al ice [31mevil Smith"
    renamed = book.with_name("+14155550101", "Bob\x07\x00\tJones\x7f")
    assert renamed.name_of("+14155550101") == "Bob Jones"


def test_exported_names_are_no_spreadsheet_formulas() -> None:
    book = (
        AddressBook()
        .with_name("+13125550101", '=HYPERLINK("http://evil.example/?x","Bob")')
        .with_name("+13125550102", "+cmd|' /C calc'!A0")
        .with_name("+13125550103", "@SUM(A1:A9)")
        .with_name("+13125550104", "-2+3")
        .with_name("+13125550105", "Carol")
    )
    rows = book.to_csv().splitlines()[1:]
    assert len(rows) == 5
    for row in rows:
        number, rest = row.split(",", 1)
        assert number.startswith("+1312555010")  # the number stays readable
        assert not rest.lstrip('"').startswith(("=", "+", "@", "-"))
    assert AddressBook.from_csv(book.to_csv()) == book  # and reads back as it was
