"""A conference timeline as SVG text (no Qt): a row per participant, spans and action markers."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from moderator.domain.timeline import ConferenceTimeline, Marker, Span, Track

LABEL_WIDTH = 150
ROW = 30
AXIS = 28
PLOT_WIDTH = 800
COLOURS = {
    Track.PRESENT: "#cbd5e1",
    Track.HOLD: "#f5a524",
    Track.MUTED: "#f05252",
    Track.SPEAKING: "#34d399",
}
TEXT = "#1f2430"
DIM = "#6b7280"
MARKER = "#4f8cff"
CONFERENCE = "#94a3b8"
RULE_MARKER = "#a78bfa"


def tick_step(seconds: float, wanted: int = 8) -> int:
    """A round tick interval (s) giving about `wanted` ticks over `seconds`."""
    for step in (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200):
        if seconds / step <= wanted:
            return step
    return 14400


def tick_label(offset: int) -> str:
    hours, rest = divmod(offset, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02}:{seconds:02}"
    return f"{minutes}:{seconds:02}"


def timeline_svg(  # noqa: C901 - one SVG document drawn in order: axis, rows, markers, legend
    timeline: ConferenceTimeline, markers: list[Marker], title: str, now: datetime | None = None
) -> str:
    """The timeline as a standalone <svg> element (fits inline in HTML)."""
    begin = timeline.first_moment
    end = timeline.until(now)
    rows = list(timeline.participants)
    height = AXIS + ROW * (len(rows) + 1) + 24
    width = LABEL_WIDTH + PLOT_WIDTH + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12"'
        f' role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if begin is None or end is None:
        out.append(f'<text x="8" y="20" fill="{DIM}">No activity recorded.</text></svg>')
        return "\n".join(out)
    total = max(1.0, (end - begin).total_seconds())

    def x(moment: datetime) -> float:
        offset = (moment - begin).total_seconds()
        return LABEL_WIDTH + PLOT_WIDTH * min(max(offset, 0.0), total) / total

    step = tick_step(total)
    for offset in range(0, int(total) + 1, step):
        tx = LABEL_WIDTH + PLOT_WIDTH * offset / total
        out.append(
            f'<line x1="{tx:.1f}" y1="{AXIS - 6}" x2="{tx:.1f}" y2="{height - 24}"'
            f' stroke="#e5e7eb"/>'
            f'<text x="{tx:.1f}" y="{AXIS - 10}" fill="{DIM}" text-anchor="middle">'
            f"{tick_label(offset)}</text>"
        )
    conference_y = AXIS
    out.append(f'<text x="8" y="{conference_y + 19}" fill="{DIM}">Conference</text>')
    until = end

    def bar(span: Span, y: float, h: float, colour: str, tip: str) -> str:
        x0, x1 = x(span.start), x(span.end or until)
        w = max(1.0, x1 - x0)
        return (
            f'<rect x="{x0:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="2"'
            f' fill="{colour}"><title>{escape(tip)}</title></rect>'
        )

    own = timeline.own_span
    if own is not None:  # the conference's own row: started to ended
        when = f"{own.start.astimezone(timezone.utc):%H:%M:%S}"
        if own.end is not None:
            when += f" to {own.end.astimezone(timezone.utc):%H:%M:%S}"
        out.append(bar(own, conference_y + 12, 6, CONFERENCE, f"conference {when} UTC"))
    for index, person in enumerate(rows):
        y = AXIS + ROW * (index + 1)
        # cut, then escape: cutting escaped text leaves "AT&amp;T &lt;support&g"
        name = escape(person.name[:22])
        out.append(f'<text x="8" y="{y + 19}" fill="{TEXT}">{name}</text>')
        for span in person.spans[Track.PRESENT]:
            out.append(bar(span, y + 6, 18, COLOURS[Track.PRESENT], f"{person.name} present"))
        for span in person.spans[Track.HOLD]:
            out.append(bar(span, y + 6, 18, COLOURS[Track.HOLD], f"{person.name} on hold"))
        for span in person.spans[Track.MUTED]:
            out.append(bar(span, y + 20, 4, COLOURS[Track.MUTED], f"{person.name} muted"))
        for span in person.spans[Track.SPEAKING]:
            out.append(bar(span, y + 9, 10, COLOURS[Track.SPEAKING], f"{person.name} speaking"))
    row_of = {p.call_sid: index for index, p in enumerate(rows)}
    for marker in markers:
        row = row_of.get(marker.call_sid, -1) if marker.call_sid else -1
        y = AXIS + ROW * (row + 1)
        mx = x(marker.at)
        colour = MARKER if marker.by == "host" else RULE_MARKER
        tip = f"{marker.at.astimezone(timezone.utc):%H:%M:%S} {marker.kind} by {marker.by}"
        if marker.ok is False:
            tip += " (failed)"
        out.append(
            f'<path d="M{mx:.1f},{y + 2} l5,-6 h-10 z" fill="{colour}">'
            f"<title>{escape(tip)}</title></path>"
            f'<line x1="{mx:.1f}" y1="{y + 2}" x2="{mx:.1f}" y2="{y + ROW - 2}"'
            f' stroke="{colour}" stroke-dasharray="2,2"/>'
        )
    legend_y = height - 8
    lx = LABEL_WIDTH
    for label, colour in (
        ("conference", CONFERENCE),
        ("present", COLOURS[Track.PRESENT]),
        ("speaking", COLOURS[Track.SPEAKING]),
        ("muted", COLOURS[Track.MUTED]),
        ("on hold", COLOURS[Track.HOLD]),
        ("host action", MARKER),
        ("rule action", RULE_MARKER),
    ):
        out.append(
            f'<rect x="{lx}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="{legend_y}" fill="{DIM}">{label}</text>'
        )
        lx += 110
    out.append("</svg>")
    return "\n".join(out)
