"""Which cards each task of a run has, as JSON: written against Metaflow's card API only.

Run in Metaflow's venv and under flowc's `metaflow` shim; the two outputs must be equal.
Usage: python read_cards.py FLOW/RUN_ID
"""

import json
import sys

from metaflow import Run, namespace
from metaflow.cards import get_cards


def main(pathspec):
    namespace(None)
    steps = {}
    for step in Run(pathspec):
        for task in step:
            try:
                found = get_cards(task)
            except Exception:  # Metaflow raises CardNotPresentException for a task without cards
                found = []
            cards = sorted([card.type, card.id or ""] for card in found)
            if cards:
                steps.setdefault(step.id, []).append(cards)
    return steps


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), sort_keys=True))
