"""`flowc card list|get|view`: the HTML cards (@card) a task stored with its committed attempt.

Only argparse at module level (`flowc --help` imports every command); the runtime is imported in `main`.
"""

from __future__ import annotations

import json
import sys

from ..loading import usage_error

_TARGET = "FLOW/RUN/STEP[/INDEX]"
_TARGET_HELP = ("a step of a run, e.g. TrainFlow/20260101T000000-ab12cd/train (run ids: `flowc show FLOW`); "
                "INDEX picks one task of a foreach step: 2, 2.0 or 2/0")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "card", help="list, print or open the HTML cards (@card) of a task",
        description="Cards are HTML reports a step makes with @card (see README, Cards). A task stores them "
                    "with its committed attempt: a task that failed has none. FLOW is the flow class name or "
                    "a flow file; INDEX names one task of a foreach step (as in the TASK column of "
                    "`flowc show FLOW/RUN/STEP`, e.g. 2 or 2.0, or as an index path, 2/0) and may be left "
                    "out when the step has one task. A step with several cards: pick one with --id, --type "
                    "or --card (its number in `flowc card list`).")
    actions = parser.add_subparsers(dest="card_action", metavar="ACTION")
    listing = actions.add_parser("list", help="list the cards of a step's tasks",
                                 description="One line per card: task, card number, type, id, status, and "
                                             "the file when the datastore is a local folder.")
    listing.add_argument("target", metavar=_TARGET, help=_TARGET_HELP)
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    get = actions.add_parser("get", help="print a card's HTML, or write it to a file (-o)",
                             description="Print the card's HTML page (self-contained: styles and pictures "
                                         "inside, no scripts) or write it to FILE.")
    get.add_argument("target", metavar=_TARGET, help=_TARGET_HELP)
    get.add_argument("-o", "--output", metavar="FILE", help="write the page to FILE instead of printing it")
    view = actions.add_parser("view", help="open a card in a web browser",
                              description="Open the card in the default web browser (the BROWSER variable "
                                          "picks another). Without a browser, print where the file is. A card "
                                          "in a remote datastore (s3://) is copied to a temporary file first.")
    view.add_argument("target", metavar=_TARGET, help=_TARGET_HELP)
    for sub in (listing, get, view):
        sub.add_argument("--datastore", metavar="URI",
                         help="a directory, file:///dir or s3://bucket/prefix "
                              "(default: $FLOWC_DATASTORE or .flowc/ in the current directory)")
    for sub in (get, view):
        sub.add_argument("--id", metavar="ID", help="the card with @card(id=ID)")
        sub.add_argument("--type", metavar="TYPE", help="the card of this type (default or blank)")
        sub.add_argument("--card", type=int, metavar="N", help="card number N of the task (see `flowc card list`)")
    parser.set_defaults(handler=main, card_parser=parser)


def main(args) -> int:
    if args.card_action is None:
        args.card_parser.print_help()
        return 2
    from flowc.runtime.errors import FlowcError

    tasks = _tasks(args)
    if tasks is None:
        return 2
    try:
        if args.card_action == "list":
            return _list(tasks, args.json)
        card = _choose(tasks, args)
        if card is None:
            return 2
        if args.card_action == "get":
            return _get(card, args.output)
        return _view(card)
    except FlowcError as error:
        print(f"flowc: error: {error}", file=sys.stderr)
        return 1


def _tasks(args):
    """The tasks FLOW/RUN/STEP[/INDEX] names, or None after a usage error."""
    from flowc.runtime import Flow, Run, layout

    from .show import _split

    flow_name, run_id, step_name, index = _split(args.target)
    if flow_name is None:
        return None
    if run_id is None or step_name is None:
        usage_error(f"{args.target}: name a step, {_TARGET} (cards belong to tasks)")
        return None
    try:
        layout.check_flow_name(flow_name)
        layout.check_run_id(run_id)
        layout.check_name("step", step_name)
        flow = Flow(flow_name, args.datastore)
    except ValueError as error:
        usage_error(f"{args.target}: {error}")
        return None
    if run_id not in flow.datastore.runs(flow_name):
        usage_error(f"no run {flow_name}/{run_id} in {flow.datastore.uri}")
        return None
    run = Run(f"{flow_name}/{run_id}", flow.datastore)
    if step_name not in run:
        usage_error(f"run {run.pathspec} has no task of step {step_name!r}; steps that ran: "
                    + ", ".join(s.name for s in run.steps()))
        return None
    step = run[step_name]
    if index is None:
        return step.tasks()
    try:
        return [step[index]]
    except (KeyError, ValueError):
        usage_error(f"step {step.pathspec} has no task {index!r}; its tasks: "
                    + ", ".join(t.id for t in step.tasks()[:20]))
        return None


def _list(tasks, as_json: bool) -> int:
    from flowc.runtime.cards import get_cards

    rows = []
    for task in tasks:
        for card in get_cards(task):
            rows.append({"task": task.pathspec, "card": card.position, "type": card.type, "id": card.id,
                         "error": card.error, "path": card.path})
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print(f"no cards: the task(s) of {tasks[0].step.pathspec} stored none (no @card on the step, or "
              f"not committed)" if tasks else "no tasks")
        return 0
    table = [("TASK", "CARD", "TYPE", "ID", "STATUS", "FILE")]
    for row in rows:
        status = "ok" if row["error"] is None else f"failed: {row['error']}"
        table.append((row["task"], str(row["card"]), row["type"] or "-", row["id"] or "-", status,
                      row["path"] or "-"))
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def _choose(tasks, args):
    from flowc.runtime.cards import get_cards

    if len(tasks) != 1:
        step = tasks[0].step.pathspec if tasks else "?"
        usage_error(f"step {step} has {len(tasks)} tasks; name one: {step}/INDEX (see `flowc card list {step}`)")
        return None
    task = tasks[0]
    cards = get_cards(task)
    if not cards:
        why = f"it has not committed (status: {task.status})" if task.done is None else "no @card on its step"
        usage_error(f"task {task.pathspec} has no cards: {why}")
        return None
    chosen = [c for c in cards if (args.id is None or c.id == args.id) and (args.type is None or c.type == args.type)
              and (args.card is None or c.position == args.card)]
    known = "; its cards: " + ", ".join(f"{c.position} ({c.type}{', id ' + c.id if c.id else ''})" for c in cards)
    if not chosen:
        usage_error(f"task {task.pathspec} has no such card{known}")
        return None
    if len(chosen) > 1:
        usage_error(f"task {task.pathspec} has {len(chosen)} cards; pick one with --id, --type or --card{known}")
        return None
    return chosen[0]


def _get(card, output) -> int:
    text = card.get()
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        usage_error(f"cannot write {output}: {error.strerror or error}")
        return 2
    print(f"wrote {card.pathspec}'s card {card.position} to {output}", file=sys.stderr)
    return 0


def _view(card) -> int:
    import webbrowser
    from pathlib import Path

    path = card.path
    if path is None:  # a remote datastore: a local copy to open
        import tempfile

        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".html", prefix="flowc-card-",
                                             delete=False)
        with handle:
            handle.write(card.get())
        path = handle.name
    url = Path(path).resolve().as_uri()
    try:
        opened = webbrowser.open(url)
    except webbrowser.Error:
        opened = False
    if opened:
        print(f"opened {path}")
    else:
        print(f"no web browser found; the card is at {path}")
    return 0
