"""Write corpus/MANIFEST.json: the training sources (name, URL, licence, attribution, sha256) and the examples.

    python tools/corpus_manifest.py --corpus-dir ../shared/corpus
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

SOURCES = [
    ("wcxb-dev", "*", "training (content vs boilerplate, aligned to main_content) and the cross-validated benchmark",
     "https://github.com/Murrough-Foley/web-content-extraction-benchmark", "c039d5e", "CC-BY-4.0",
     "WCXB: Web Content Extraction Benchmark, Murrough Foley"),
    ("scrapinghub", "*", "benchmark only: never trained or tuned on",
     "https://github.com/scrapinghub/article-extraction-benchmark", "4a3bc97", "MIT",
     "Scrapinghub article extraction benchmark"),
    ("press-releases", "*.txt", "hand annotation (annotations/gold.jsonl) and training",
     "https://github.com/natmrubin/prosecutor-press-releases", "492f02e",
     "public press releases of US prosecutors' offices", "collected by natmrubin/prosecutor-press-releases"),
    ("seed", "*.txt", "the page the project started from; the guideline's worked example",
     "DHS/ICE press release as scraped from a security-news site", "",
     "US federal press release (public domain) plus the site's own blurbs", "U.S. Department of Homeland Security"),
]
EXAMPLE_ORIGINS = {"dhs-": "seed", "cook": "press-releases/cook_il", "dall": "press-releases/dallas_tx",
                   "king": "press-releases/kings_ny", "wcxb": "wcxb-dev page 4101 (CC-BY-4.0, Murrough Foley)"}


def tree_digest(root: Path, pattern: str) -> tuple[str, int]:
    """sha256 over (relative path, sha256 of content) of every file, sorted by path."""
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob(pattern) if p.is_file())
    for f in files:
        digest.update(str(f.relative_to(root)).encode())
        digest.update(hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest(), len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-dir", type=Path, default=Path("../shared/corpus"))
    args = parser.parse_args()
    sources = []
    for name, pattern, use, url, commit, licence, attribution in SOURCES:
        digest, count = tree_digest(args.corpus_dir / name, pattern)
        sources.append({"name": name, "use": use, "url": url, "commit": commit, "licence": licence,
                        "attribution": attribution, "files": count, "sha256": digest,
                        "sha256_of": f"sorted (relative path, sha256) of {pattern} files"})
    examples = [{"file": f"examples/{f.name}", "from": EXAMPLE_ORIGINS[f.name[:4]],
                 "sha256": hashlib.sha256(f.read_bytes()).hexdigest()}
                for f in sorted(Path("corpus/examples").iterdir()) if not f.name.startswith("LICENSE")]
    Path("corpus/MANIFEST.json").write_text(json.dumps({"sources": sources, "examples": examples}, indent=1) + "\n")
    print(f"{len(sources)} sources, {len(examples)} examples → corpus/MANIFEST.json")


if __name__ == "__main__":
    main()
