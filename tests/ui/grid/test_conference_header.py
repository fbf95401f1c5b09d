"""The header's status line: new text every batch of callbacks, and nothing but the line redone."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject

from moderator.ui.shell.main_window import MainWindow


class LayoutRequests(QObject):
    """Counts the layout requests a widget and its ancestors receive."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_a_new_status_line_repaints_the_line_and_relays_out_nothing(
    qtbot: Any, window: MainWindow
) -> None:
    # At each batch of callbacks the line changes ("speaking: Mary 0:09", counts): a label asked
    # every layout up to the window again, and the window relaid out and repainted its panes.
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # the first layout settles
    requests = LayoutRequests()
    widget = window.subtitle
    while widget is not None:
        widget.installEventFilter(requests)
        widget = widget.parentWidget()
    window.subtitle.setText("Live  ·  3 people  ·  1 muted  ·  speaking: Mary 0:09, Alice, Bob")
    qtbot.wait(50)
    assert window.subtitle.text().endswith("Alice, Bob")
    assert requests.count == 0
    assert window.subtitle.accessibleName() == window.subtitle.text()  # read as a label's text


def test_the_status_line_sits_under_the_title_in_the_dim_colour(
    qtbot: Any, window: MainWindow
) -> None:
    """Seen under Xvfb: once painted by hand, the line lost the style sheet's padding and
    colour (a QLabel rule): it began at the header's very left edge, left of the title, in
    the title's bright colour. It starts where the title's text starts, in #98a1b3."""
    window.show()
    qtbot.waitExposed(window)
    window.subtitle.setText("Live  ·  3 people  ·  started 12:44")
    image = window.subtitle.grab().toImage()
    background = image.pixelColor(0, 0)
    inked = [
        (x, image.pixelColor(x, y))
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y) != background
    ]
    assert inked
    assert min(x for x, _ in inked) >= 14  # the title's padding (style.qss)
    brightest = max(max(c.red(), c.green(), c.blue()) for _, c in inked)
    assert brightest <= 0xB3 + 8  # the dim colour's, never the title's #e8ebf1
