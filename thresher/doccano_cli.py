"""``thresher doccano push|pull``: the command line of :mod:`thresher.doccano`.

Kept apart from ``cli.py`` so that the core command works without the ``doccano``
extra: ``thresher.doccano`` (and ``requests``) is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .annotations import SPLITS
from .errors import ThresherError
from .uncertainty import METHODS

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
CREDENTIALS_HELP = ("The server and login come from DOCCANO_URL, DOCCANO_USERNAME and DOCCANO_PASSWORD "
                    "(or a netrc entry for the server's host), never from the command line.")


def add_parser(commands) -> None:
    """Add ``doccano push`` and ``doccano pull`` to the ``thresher`` subcommands."""
    doccano = commands.add_parser("doccano", help="push suggestions to doccano, pull annotators' labels back",
                                  description="Annotate in doccano with the model's labels as suggestions. "
                                  + CREDENTIALS_HELP)
    actions = doccano.add_subparsers(dest="doccano_command", required=True, metavar="ACTION")
    push = actions.add_parser("push", help="segment pages and upload them with the model's labels as suggestions",
                              description="Example: thresher doccano push pages/ --project triage "
                              "--select uncertain --budget 20. " + CREDENTIALS_HELP)
    push.add_argument("paths", nargs="+", metavar="PATH", help="page files or folders (walked)")
    push.add_argument("--project", required=True, help="doccano project name (created when missing)")
    push.add_argument("--style", choices=("page", "block"), default="page",
                      help="page (default): one example per page, each block a span; "
                      "block: one example per block, neighbours in its metadata")
    push.add_argument("--select", choices=("uncertain",), help="push what the model is least sure about")
    push.add_argument("--uncertainty", choices=METHODS, default="margin", help="margin (default) or entropy")
    push.add_argument("--budget", type=int, help="push at most N examples (pages, or blocks in block style)")
    push.add_argument("--annotations", default="annotations",
                      help="with --select, skip the pages already annotated here (default: annotations)")
    push.add_argument("--member", action="append", default=[], metavar="USER",
                      help="make this doccano user an annotator of the project (repeatable)")
    push.add_argument("--model", help="a model file (default: the shipped model)")
    push.add_argument("--corpus-dir", help="corpus folder, for pages' ids and sites "
                      "(default: $THRESHER_CORPUS_DIR or ../shared/corpus)")
    pull = actions.add_parser("pull", help="merge the annotators' labels into an annotation file",
                              description="Example: thresher doccano pull --project triage "
                              "-o annotations/doccano.jsonl. " + CREDENTIALS_HELP)
    pull.add_argument("--project", required=True, help="doccano project name")
    pull.add_argument("-o", "--output", required=True, help="annotation file (JSON Lines) to merge into")
    pull.add_argument("--only-confirmed", action="store_true", help="only examples with the checkmark set")
    pull.add_argument("--split", choices=SPLITS, default="train",
                      help="split of pages from sites not yet in the output's folder (default: train)")


def run(args: argparse.Namespace) -> int:
    """Run ``doccano push`` or ``doccano pull``; one line per problem on stderr, then a summary."""
    if getattr(args, "budget", None) is not None and args.budget < 1:
        print("thresher: --budget must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        from . import doccano
    except ImportError as exc:
        print(f"thresher: the doccano commands need the doccano extra (pip install 'thresher[doccano]'): {exc}",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        client = doccano.DoccanoClient(doccano.credentials())
        if args.doccano_command == "push":
            from .api import load
            from .corpus import corpus_dir

            try:
                corpus = corpus_dir(args.corpus_dir)
            except FileNotFoundError:
                corpus = None
            report = doccano.push(client, args.paths, project=args.project, model=load(args.model), style=args.style,
                                  corpus=corpus, annotations=Path(args.annotations), select=args.select,
                                  method=args.uncertainty, budget=args.budget, members=args.member)
            failed = bool(report.failed)
        else:
            report = doccano.pull(client, project=args.project, out=Path(args.output),
                                  only_confirmed=args.only_confirmed, split=args.split)
            failed = False
    except (doccano.DoccanoError, ThresherError, OSError) as exc:  # server, model or annotation file: one line
        print(f"thresher: doccano: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    for line in doccano.summary(report):
        print(f"thresher: {line}", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK
