"""Write thresher/chunk_seed.npz: the corpus's most frequent chunks, tokenized by this spaCy.

    python tools/build_chunk_seed.py --corpus-dir ../shared/corpus

Chunks are counted over the first ``MAX_KIND_CHARS`` characters of every block of the WCXB dev
pages and the press releases (the training sources; never ScrapingHub, a benchmark), as the
kind features tokenize them. The seed only saves time: labels do not depend on it
(``thresher/chunk_seed.py``). Rebuild it after upgrading spaCy, whose fingerprint it carries.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
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
    paths = [p.path for p in wcxb_pages(corpus)] + sorted((corpus / "press-releases").glob("*/*.txt"))
    counts: Counter[str] = Counter()
    options = SegmentOptions()
    for path in paths:
        try:
            blocks = split_page(read_bytes(path), options)[0]
        except ThresherError:
            continue
        for block in blocks:
            counts.update(chunks_of(block.text[:MAX_KIND_CHARS]))
    chosen = [k for k, _ in sorted(counts.items(), key=lambda kc: (-kc[1], kc[0]))[: args.chunks]]
    spacy_tokenizer = english_tokenizer()
    tokenizer = ChunkTokenizer(spacy_tokenizer)
    tokenizer.table(chosen)
    seed = tokenizer.memory()
    write_seed(args.output, spacy_tokenizer, seed)
    check = read_seed(spacy_tokenizer, args.output)
    if check is None or check.keys != seed.keys:
        raise SystemExit(f"{args.output} does not read back")
    covered = sum(counts[k] for k in chosen) / max(sum(counts.values()), 1)
    print(f"{len(paths)} pages, {len(counts):,} distinct chunks; wrote {len(chosen):,} chunks "
          f"({len(seed.start):,} tokens, {covered:.1%} of chunk occurrences) to {args.output} "
          f"({args.output.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
