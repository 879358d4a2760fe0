"""Check an annotator's label file against its page: every block labeled once, labels valid.

    python tools/check_labels.py annotations/work/labels/A/DOC_ID.tsv

A label file has one line per block, ``INDEX<TAB>LABEL``, or a range
``FIRST-LAST<TAB>LABEL`` for a run of blocks that all take the same label.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

LABELS = {"news_body", "quote", "case_record", "statistic", "boilerplate"}
_BLOCK = re.compile(r"^\[(\d+)\] ")


def read_labels(path: Path) -> dict[int, str]:
    labels: dict[int, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        if len(parts) < 2:
            raise SystemExit(f"{path}:{number}: expected INDEX<TAB>LABEL, got {line!r}")
        where, label = parts[0].strip(), parts[1].strip()
        if label not in LABELS:
            raise SystemExit(f"{path}:{number}: unknown label {label!r}")
        first, _, last = where.partition("-")
        for i in range(int(first), int(last or first) + 1):
            if i in labels:
                raise SystemExit(f"{path}:{number}: block {i} labeled twice")
            labels[i] = label
    return labels


def main() -> None:
    for name in sys.argv[1:]:
        path = Path(name)
        page = path.parents[2] / "pages" / f"{path.stem}.txt"
        count = sum(1 for line in page.read_text().splitlines() if _BLOCK.match(line))
        labels = read_labels(path)
        missing = sorted(set(range(count)) - set(labels))
        extra = sorted(set(labels) - set(range(count)))
        if missing or extra:
            raise SystemExit(f"{path}: missing blocks {missing[:20]} extra {extra[:20]}")
        print(f"{path}: OK, {count} blocks")


if __name__ == "__main__":
    main()
