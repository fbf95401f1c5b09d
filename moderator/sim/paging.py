"""Twilio's 2010-04-01 list envelope: Page, PageSize, PageToken and the *_page_uri links."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        number = default
    return max(low, min(high, number))


def paginate(
    items: Sequence[T],
    *,
    key: str,
    path: str,
    query: Mapping[str, str],
    filters: Mapping[str, str],
    sid_of: Callable[[T], str],
    render: Callable[[T], dict[str, Any]],
) -> dict[str, Any]:
    """One page of `items` in the envelope under `key`.

    `PageToken` is `PA<sid>` (the page starts after that item) or `PB<sid>` (ends before it),
    falling back to `Page * PageSize` when the item is gone.
    """
    size = _int(query.get("PageSize"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = _int(query.get("Page"), 0, 0, 10**9)
    start = page * size
    token = query.get("PageToken", "")
    sids = [sid_of(item) for item in items]
    if token[:2] in ("PA", "PB") and token[2:] in sids:
        index = sids.index(token[2:])
        start = index + 1 if token.startswith("PA") else max(0, index - size)
    chunk = list(items[start : start + size])

    def link(page_number: int, page_token: str | None = None) -> str:
        params = dict(filters)
        params.update(PageSize=str(size), Page=str(page_number))
        if page_token:
            params["PageToken"] = page_token
        return f"{path}?{urlencode(params)}"

    has_next = start + size < len(items)
    return {
        key: [render(item) for item in chunk],
        "end": start + len(chunk) - 1 if chunk else 0,
        "first_page_uri": link(0),
        "next_page_uri": link(page + 1, "PA" + sid_of(chunk[-1])) if has_next and chunk else None,
        "page": page,
        "page_size": size,
        "previous_page_uri": (
            link(page - 1, "PB" + sid_of(chunk[0])) if page > 0 and chunk else None
        ),
        "start": start,
        # as twilio-oai's examples show it: the filters, then PageSize and Page always (the
        # defaults too), then the PageToken asked for
        "uri": link(page, token or None),
    }
