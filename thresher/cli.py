"""The ``thresher`` command: ``segment`` and ``clean`` pages from files, folders or stdin.

Examples::

    thresher clean page.html
    thresher clean --format json --jobs 2 pages/ -o articles.jsonl
    curl -s https://example.org/ | thresher segment -
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator

from . import __version__, doccano_cli
from .batch import TIMEOUT_DEFAULT, Result, run_batch
from .inputs import STDIN, iter_sources
from .labels import CONTENT_LABELS, LABELS, parse_labels
from .options import FORMATS, MAX_BLOCKS_DEFAULT, MAX_INPUT_BYTES_DEFAULT, SegmentOptions
from .outputs import clean_markdown, clean_record, clean_text, detailed_lines, error_record, segment_records

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="thresher", description="Separate article text from boilerplate and label each paragraph.",
        epilog="Exit status: 0 all pages done, 1 some pages failed (each named on stderr), 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"thresher {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    segment = commands.add_parser("segment", help="every block with its label and scores (JSON Lines)",
                                  description="Write one JSON object per block, in page order. Example: thresher segment page.html")
    segment.add_argument("--format", choices=("jsonl", "detailed"), default="jsonl",
                         help="jsonl (default) or detailed: tab-separated first-pass and final labels, as jusText")
    clean = commands.add_parser("clean", help="the article text (content labels only)",
                                description="Write the article text of each page. Example: thresher clean --keep quote page.html")
    clean.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                       help="text (default), json (one object per page: source, title, text) or markdown")
    clean.add_argument("--keep", default=",".join(CONTENT_LABELS),
                       help=f"labels to keep, comma-separated (default: {','.join(CONTENT_LABELS)}; all: {','.join(LABELS)})")
    clean.add_argument("--with-title", action="store_true", help="keep the page title (the headline)")
    for command in (segment, clean):
        _add_common(command)
    doccano_cli.add_parser(commands)
    return parser


def _add_common(command: argparse.ArgumentParser) -> None:
    inputs = command.add_argument_group("input")
    inputs.add_argument("paths", nargs="+", metavar="PATH",
                        help="a file (.html, .htm, .txt, or any of them .gz), a folder (walked), or - for stdin")
    inputs.add_argument("--input-format", choices=FORMATS, default="auto", help="force HTML or text (default: detect)")
    inputs.add_argument("--encoding", help="the pages' charset, when known (default: detect)")
    processing = command.add_argument_group("processing")
    processing.add_argument("--model", help="a model file (default: the shipped model)")
    processing.add_argument("--jobs", type=int, default=1, help="worker processes for batches (default: 1)")
    processing.add_argument("--max-input-bytes", type=int, default=MAX_INPUT_BYTES_DEFAULT,
                            help=f"refuse larger pages (default: {MAX_INPUT_BYTES_DEFAULT:,})")
    processing.add_argument("--max-blocks", type=int, default=MAX_BLOCKS_DEFAULT,
                            help=f"refuse pages with more blocks (default: {MAX_BLOCKS_DEFAULT:,})")
    processing.add_argument("--timeout", type=float, default=TIMEOUT_DEFAULT,
                            help=f"seconds each page may take, enforced in worker processes; 0 for none (default: {TIMEOUT_DEFAULT:g})")
    processing.add_argument("--fail-fast", action="store_true", help="stop at the first page that fails")
    output = command.add_argument_group("output")
    output.add_argument("-o", "--output", help="write here instead of stdout")
    output.add_argument("--progress", choices=("auto", "always", "never"), default="auto",
                        help="progress bar on stderr (auto: for batches, when stderr is a terminal)")


def _options(args: argparse.Namespace) -> SegmentOptions:
    """The only place command-line flags become segmentation options."""
    return SegmentOptions(input_format=args.input_format, max_input_bytes=args.max_input_bytes,
                          max_blocks=args.max_blocks, encoding=args.encoding)


def _render(args: argparse.Namespace, result: Result, several: bool) -> list[str]:
    page, source = result.page, result.source
    if args.command == "segment":
        return detailed_lines(source, page) if args.format == "detailed" else segment_records(source, page)
    if args.format == "json":
        return [clean_record(source, page, keep=args.keep, with_title=args.with_title)]
    render = clean_markdown if args.format == "markdown" else clean_text
    text = render(page, keep=args.keep, with_title=args.with_title)
    return [f"==> {source} <==\n{text}\n"] if several else [text]


def _progress(results: Iterator[Result], args: argparse.Namespace, total: int | None) -> Iterator[Result]:
    show = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty() and (total or 2) > 1)
    if not show:
        return results
    from tqdm import tqdm

    return tqdm(results, total=total, desc="pages", unit="page", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    sources = list(iter_sources(args.paths))
    several = len(sources) > 1
    stdin_data = sys.stdin.buffer.read() if STDIN in sources else None
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    failures: Counter = Counter()
    done = 0
    try:
        results = run_batch(sources, model_path=args.model, options=_options(args), jobs=args.jobs,
                            timeout=args.timeout or None, stdin_data=stdin_data)
        for result in _progress(results, args, len(sources)):
            if result.page is None:
                failures[result.error_type] += 1
                print(f"thresher: {result.source}: {result.error_type}: {result.error}", file=sys.stderr)
                if args.command == "segment" or args.format == "json":
                    out.write(error_record(result.source, result.error_type, result.error) + "\n")
                if args.fail_fast:
                    break
                continue
            done += 1
            for line in _render(args, result, several):
                out.write(line + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()
    if several or failures:
        summary = ", ".join(f"{n} {kind}" for kind, n in failures.most_common())
        print(f"thresher: {done} pages ok, {sum(failures.values())} failed" + (f" ({summary})" if summary else ""),
              file=sys.stderr)
    return EXIT_SOME_FAILED if failures else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "doccano":
        return doccano_cli.run(args)
    if args.command == "clean":
        try:
            args.keep = parse_labels(args.keep)
        except ValueError as exc:
            parser.error(str(exc))
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.timeout < 0:
        parser.error("--timeout must be 0 (none) or more seconds")
    try:
        _options(args)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (thresher … | head): not an error
        return EXIT_OK
    except Exception as exc:  # model file or output errors: one line, no traceback
        print(f"thresher: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, OSError | ValueError) else EXIT_SOME_FAILED


if __name__ == "__main__":
    sys.exit(main())
