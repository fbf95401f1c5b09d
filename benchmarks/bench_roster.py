"""Roster fold speed: 20,000 callbacks for 250 participants, in order vs arriving late.

A late callback refolds only its own participant, so out-of-order delivery should cost about
the same as in-order; the in-order run is the baseline. Prints JSON.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moderator.domain.events import ConferenceEvent, parse_callback
from moderator.domain.roster import Roster
from tests.forms import form

PEOPLE = 250
CALLBACKS = 20_000
KINDS = [
    "participant-speech-start",
    "participant-speech-stop",
    "participant-mute",
    "participant-unmute",
]


def history(rng: random.Random) -> list[ConferenceEvent]:
    now = datetime.now(timezone.utc)
    names = [f"P{i:03d}" for i in range(PEOPLE)]
    forms = [form("participant-join", n + 1, who=name) for n, name in enumerate(names)]
    for sequence in range(len(forms) + 1, CALLBACKS + 1):
        forms.append(form(rng.choice(KINDS), sequence, who=rng.choice(names)))
    return [parse_callback(f, now) for f in forms]


def fold_seconds(events: list[ConferenceEvent]) -> float:
    roster = Roster()
    started = time.perf_counter()
    for event in events:
        roster.apply(event)
    return time.perf_counter() - started


def main() -> None:
    rng = random.Random(7)
    events = history(rng)
    late = list(events)
    for i in range(0, len(late) - 1, 20):  # every 20th callback overtaken by the next one
        late[i], late[i + 1] = late[i + 1], late[i]
    shuffled = list(events)
    rng.shuffle(shuffled)
    duplicated = events + rng.sample(events, len(events) // 10)
    runs = {
        "in_order": fold_seconds(events),
        "5pct_late": fold_seconds(late),
        "10pct_duplicates": fold_seconds(duplicated),
        "fully_shuffled": fold_seconds(shuffled),
    }
    baseline = runs["in_order"]
    print(
        json.dumps(
            {
                "benchmark": "roster fold",
                "participants": PEOPLE,
                "callbacks": CALLBACKS,
                "results": {
                    name: {
                        "seconds": round(seconds, 3),
                        "callbacks_per_second": round(CALLBACKS / seconds),
                        "vs_in_order": round(seconds / baseline, 2),
                    }
                    for name, seconds in runs.items()
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
