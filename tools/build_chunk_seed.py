"""Write thresher/chunk_seed.npz: the corpus's most frequent chunks, tokenized by this spaCy.

    python tools/build_chunk_seed.py --corpus-dir ../shared/corpus

Chunks are read in the first ``MAX_KIND_CHARS`` characters of every block of the WCXB dev pages
and the press releases (the training sources; never ScrapingHub, a benchmark), as the kind
features tokenize them, and ranked by how many sites use them (a WCXB page's domain, a press
release's office), then by count: a chunk many sites use is one a new site will use. Ranked by
count alone, the press releases' 8,000 pages of six offices filled the seed with their own
words (on the WCXB pages of half the domains, ranked from the other half, 50,000 chunks by sites
covered 47.9% of the chunks their kind features met, by count 42.8%). 100,000 chunks (54.0%)
saved 0.06 ms of a ScrapingHub page's first pass and cost 0.03 s a process: 50,000 is the default.
The seed only saves time: labels do not depend on it (``thresher/chunk_seed.py``). Rebuild it
after upgrading spaCy, whose fingerprint it carries.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from thresher.chunk_seed import SEED_PATH, read_seed, write_seed  # noqa: E402
from thresher.chunk_tokenizer import ChunkTokenizer, chunks_of  # noqa: E402
from thresher.corpus import corpus_dir, read_bytes, wcxb_pages  # noqa: E402
from thresher.errors import ThresherError  # noqa: E402
from thresher.options import SegmentOptions  # noqa: E402
from thresher.segmenter import split_page  # noqa: E402
from thresher.typing_features import MAX_KIND_CHARS, english_tokenizer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-dir", help="the shared corpus (default: THRESHER_CORPUS_DIR or ../shared/corpus)")
    parser.add_argument("--chunks", type=int, default=50_000, help="how many chunks (default: 50,000)")
    parser.add_argument("-o", "--output", type=Path, default=SEED_PATH)
    args = parser.parse_args()
    corpus = corpus_dir(args.corpus_dir)
    sources = [(p.path, p.site) for p in wcxb_pages(corpus)]
    sources += [(path, path.parent.name) for path in sorted((corpus / "press-releases").glob("*/*.txt"))]
    counts: Counter[str] = Counter()
    sites: dict[str, set[str]] = defaultdict(set)
    options = SegmentOptions()
    for path, site in sources:
        try:
            blocks = split_page(read_bytes(path), options)[0]
        except ThresherError:
            continue
        for block in blocks:
            chunks = chunks_of(block.text[:MAX_KIND_CHARS])
            counts.update(chunks)
            for chunk in chunks:
                sites[chunk].add(site)
    ranked = sorted(counts, key=lambda k: (-len(sites[k]), -counts[k], k))
    chosen = ranked[: args.chunks]
    spacy_tokenizer = english_tokenizer()
    tokenizer = ChunkTokenizer(spacy_tokenizer)
    tokenizer.table(chosen)
    seed = tokenizer.memory()
    write_seed(args.output, spacy_tokenizer, seed)
    check = read_seed(spacy_tokenizer, args.output)
    if check is None or check.keys != seed.keys:
        raise SystemExit(f"{args.output} does not read back")
    covered = sum(counts[k] for k in chosen) / max(sum(counts.values()), 1)
    print(f"{len(sources)} pages, {len(counts):,} distinct chunks; wrote {len(chosen):,} chunks "
          f"({len(seed.start):,} tokens, {covered:.1%} of chunk occurrences) to {args.output} "
          f"({args.output.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
