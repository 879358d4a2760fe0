"""The ``thresher`` command: ``segment`` and ``clean`` pages from files, folders, stdin, JSON Lines
streams and WARC files, in this process, in worker processes or on a Dask cluster.

Examples::

    thresher clean page.html
    thresher clean --format json --jobs 2 pages/ -o articles.jsonl
    curl -s https://example.org/ | thresher segment -
    zcat pages.jsonl.gz | thresher clean --format json --stream jsonl -
    thresher clean --format json crawl.warc.gz
    thresher clean --format json --workers 2 warcs/ -o cleaned/
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from . import __version__, doccano_cli
from .batch import TIMEOUT_DEFAULT, Result, run_batch
from .inputs import STDIN, STREAM_KINDS, iter_items, iter_sources, stream_kind
from .labels import CONTENT_LABELS, LABELS, parse_labels
from .options import FORMATS, MAX_BLOCKS_DEFAULT, MAX_INPUT_BYTES_DEFAULT, SegmentOptions
from .outputs import Rendering, Tally, write_results
from .pipeline import needs_kinds

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
                        help="a page file (.html, .htm, .txt), a stream of pages (.jsonl, .ndjson: one "
                             '{"url", "html"|"text"} per line; .warc), any of them .gz, a folder (walked), or - for stdin')
    inputs.add_argument("--stream", choices=STREAM_KINDS,
                        help="read every file and stdin as a stream of pages of this kind "
                             "(default: by suffix; stdin is one page)")
    inputs.add_argument("--input-format", choices=FORMATS, default="auto",
                        help="force HTML or text for each page (default: detect; a stream's record says)")
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
    cluster = command.add_argument_group("Dask cluster (pip install 'thresher[dask]'; -o names an output folder)")
    where = cluster.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on this Dask scheduler, e.g. tcp://10.0.0.5:8786")
    where.add_argument("--workers", type=int, metavar="N", help="run on a local Dask cluster of N worker processes")
    cluster.add_argument("--pages-per-part", type=int, default=100,
                         help="page files per part; each stream file is one part (default: 100)")
    output = command.add_argument_group("output")
    output.add_argument("-o", "--output", help="write here instead of stdout (with a cluster: a folder of parts)")
    output.add_argument("--progress", choices=("auto", "always", "never"), default="auto",
                        help="progress bar on stderr (auto: for batches, when stderr is a terminal)")


def _options(args: argparse.Namespace) -> SegmentOptions:
    """The only place command-line flags become segmentation options."""
    # clean's text (and its JSON) needs each block's side only, unless some kinds are kept and not
    # others; Markdown marks quotes. It writes no scores.
    kinds = args.command != "clean" or args.format == "markdown" or needs_kinds(args.keep)
    return SegmentOptions(input_format=args.input_format, max_input_bytes=args.max_input_bytes,
                          max_blocks=args.max_blocks, encoding=args.encoding, kinds=kinds,
                          scores=args.command != "clean")


def _rendering(args: argparse.Namespace) -> Rendering:
    """The only place command-line flags become what is written for each page."""
    if args.command == "segment":
        return Rendering("segment", args.format)
    return Rendering("clean", args.format, keep=args.keep, with_title=args.with_title)


def _progress(results: Iterator[Result], args: argparse.Namespace, total: int | None) -> Iterator[Result]:
    show = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty() and (total or 2) > 1)
    if not show:
        return results
    from tqdm import tqdm

    return tqdm(results, total=total, desc="pages", unit="page", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if args.scheduler or args.workers:
        from .dask import run_on_cluster

        tally = run_on_cluster(list(iter_sources(args.paths)), args.output, scheduler=args.scheduler,
                               workers=args.workers, model_path=args.model, options=_options(args),
                               rendering=_rendering(args), stream=args.stream, pages_per_part=args.pages_per_part)
        print(f"thresher: {tally.summary()}", file=sys.stderr)
        return EXIT_SOME_FAILED if tally.failures else EXIT_OK
    sources = list(iter_sources(args.paths))
    streaming = any(stream_kind(s, args.stream) for s in sources)
    several = streaming or len(sources) > 1
    # one page on stdin is read whole; a stream on stdin is read record by record
    stdin_data = sys.stdin.buffer.read() if STDIN in sources and not stream_kind(STDIN, args.stream) else None
    tally = Tally()
    items = iter_items(sources, stream=args.stream, max_bytes=args.max_input_bytes, skipped=tally.skipped,
                       stdin=sys.stdin.buffer)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115

    def report(result: Result) -> bool:
        print(f"thresher: {result.source}: {result.error_type}: {result.error}", file=sys.stderr)
        return args.fail_fast

    try:
        rendering = _rendering(args)
        # each page written where it is labeled: its lines, not its blocks, come back from a worker
        results = run_batch(items, model_path=args.model, options=_options(args), jobs=args.jobs,
                            timeout=args.timeout or None, stdin_data=stdin_data,
                            finish=rendering.finisher(several))
        write_results(_progress(results, args, None if streaming else len(sources)), out, rendering,
                      several=several, tally=tally, on_failure=report)
    finally:
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()
    if several or tally.failures:
        print(f"thresher: {tally.summary()}", file=sys.stderr)
    return EXIT_SOME_FAILED if tally.failures else EXIT_OK


def _check_cluster_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """What argparse cannot say about a cluster run."""
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.pages_per_part < 1:
        parser.error("--pages-per-part must be at least 1")
    if not args.output:
        parser.error("--scheduler and --workers write one part per input part: give an output folder with -o")
    if STDIN in args.paths:
        parser.error("a cluster cannot read stdin: give files or folders")


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
    if args.scheduler or args.workers is not None:
        _check_cluster_args(parser, args)
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
