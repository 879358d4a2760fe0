"""Plain-text segmentation on real scraped pages."""

from __future__ import annotations

from thresher.text import text_blocks

from .conftest import EXAMPLES, SEED


def test_seed_page_blocks_follow_the_guideline_rows():
    blocks = text_blocks(SEED.read_text())
    assert len(blocks) == 21
    assert blocks[0].text.startswith("DHS Announces ICE Enforcement Actions")
    # a paragraph that follows another on the next line, without a blank line, is its own block
    assert blocks[8].text.startswith("Also arrested and in custody")
    assert blocks[9].text.startswith("Nationally, approximately 86%")
    # a bullet item and its indented description are one teaser block
    assert blocks[12].tag == "li"
    assert blocks[12].text.startswith("The Evolution of IP Camera Intelligence As the 30th")
    assert blocks[12].text.endswith("Read Now")


def test_press_release_rejoins_paragraphs_broken_at_inline_names():
    blocks = text_blocks((EXAMPLES / "cook_il-regional-transit-task-force.txt").read_text())
    texts = [b.text for b in blocks]
    assert "State’s Attorney Burke announced the creation of the RTTF at a news conference last week." in texts
    assert any(t.startswith("CHICAGO – Cook County State’s Attorney") for t in texts)
    quote = next(t for t in texts if t.startswith("“Combating crime"))
    assert "said State’s Attorney Burke. “In order for our communities" in quote
    assert texts[1] == "Skip to main content"  # menus stay one line each


def test_fixed_width_pdf_text_is_unwrapped():
    blocks = text_blocks((EXAMPLES / "dallas_tx-steven-chaney.txt").read_text())
    paragraph = next(b.text for b in blocks if b.text.startswith("(Dallas, Texas)"))
    assert paragraph.endswith("presentation of false evidence and Brady violations.")
    assert "Director of Communications" in [b.text for b in blocks]


def test_bullets_and_blank_lines():
    blocks = text_blocks("Title\n\n• one\n• two\n- three\n\nLast paragraph here.")
    assert [(b.tag, b.text) for b in blocks] == [
        ("line", "Title"), ("li", "one"), ("li", "two"), ("li", "three"), ("line", "Last paragraph here.")
    ]


def test_text_without_newlines_is_one_block():
    assert [b.text for b in text_blocks("just one line of text")] == ["just one line of text"]
