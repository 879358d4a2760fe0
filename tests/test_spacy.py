"""The spaCy component: one labeled span per block, aligned to doc.text; article text; nlp.pipe(n_process=2)."""

from __future__ import annotations

import tomllib

import spacy

from thresher.integrations.spacy import align, make_thresher

from .conftest import EXAMPLES, ROOT, SEED

TEXTS = [(EXAMPLES / n).read_text() for n in ("dhs-ice-operation-rise.txt", "cook_il-regional-transit-task-force.txt",
                                              "dallas_tx-steven-chaney.txt", "kings_ny-marcy-houses-conviction.txt")]


def squash(text: str) -> str:
    return "".join(text.split())


def test_spans_are_the_blocks_aligned_to_the_text(model):
    nlp = spacy.blank("en")
    nlp.add_pipe("thresher")
    text = SEED.read_text()
    doc = nlp(text)
    blocks = model.segment(text)
    spans = doc.spans["thresher"]
    assert [s.label_ for s in spans] == [b.label for b in blocks]
    assert [squash(s.text) for s in spans] == [squash(b.text) for b in blocks]
    assert all(text[s.start_char:s.end_char] == s.text for s in spans)
    assert doc._.article_text == model.clean(text)


def test_config_keeps_labels():
    nlp = spacy.blank("en")
    nlp.add_pipe("thresher", config={"keep": ["quote"], "with_title": True})
    doc = nlp(SEED.read_text())
    assert doc._.article_text.count("\n\n") == 1 and doc._.article_text.startswith("“")
    assert nlp("   ")._.article_text == "" and list(nlp("   ").spans["thresher"]) == []


def test_pipe_with_two_processes_matches_one(model):
    nlp = spacy.blank("en")
    nlp.add_pipe("thresher")
    one = [(d._.article_text, [(s.start_char, s.end_char, s.label_) for s in d.spans["thresher"]]) for d in nlp.pipe(TEXTS)]
    two = [(d._.article_text, [(s.start_char, s.end_char, s.label_) for s in d.spans["thresher"]])
           for d in nlp.pipe(TEXTS, n_process=2, batch_size=1)]
    assert one == two
    assert [t for t, _ in one] == [model.clean(t) for t in TEXTS]


def test_the_entry_point_names_the_factory():
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["spacy_factories"]
    module, _, name = entry["thresher"].partition(":")
    assert (module, name) == (make_thresher.__module__, make_thresher.__name__)


def test_align_skips_whitespace_and_bullets():
    text = "Title\n\n• one\n  two\nA wrap-\nped line."
    assert align(text, "one two", 0) == (9, 18)
    assert text[slice(*align(text, "A wrap-ped line.", 18))] == "A wrap-\nped line."
    assert align(text, "Title", 1) is None
