"""Push → an annotator works through doccano's API → pull, against a real doccano server.

Needs ``scripts/doccano-server.sh start`` (``.ci/run`` does it); see ``doccano_env`` in conftest.
"""

from __future__ import annotations

import json
import secrets
import uuid

import pytest

from thresher.annotations import read_pages
from thresher.corpus import page_identity, read_bytes
from thresher.labels import LABELS

from .conftest import EXAMPLES, SEED, import_doccano

pytestmark = pytest.mark.doccano
doccano = import_doccano()

# a 12-block press release: with the four example text pages, five pages for the block style
# (the example HTML page alone would be 314 examples there)
SMALL_RELEASE = ("press-releases/cook_il/news_palatine-high-school-teachers-aide-indicted-charges-reproducing-"
                 "and-possessing-child-sexual.txt")


def login(env: dict, prefix: str = "DOCCANO_") -> doccano.DoccanoClient:
    return doccano.DoccanoClient(doccano.Credentials(env["DOCCANO_URL"], env[prefix + "USERNAME"],
                                                     env[prefix + "PASSWORD"]))


def new_annotator(admin: doccano.DoccanoClient, env: dict, name: str) -> doccano.DoccanoClient:
    password = secrets.token_urlsafe(12) + "-Aa1"
    admin.request("POST", "/v1/users/create", json={"username": name, "email": f"{name}@example.org",
                                                    "password1": password, "password2": password})
    return doccano.DoccanoClient(doccano.Credentials(env["DOCCANO_URL"], name, password))


def plan(index: int) -> str:
    """What the annotator does with block ``index``: correct it, label it the same, or just confirm."""
    return ("correct", "same", "confirm")[index % 3]


def other(label: str) -> str:
    return LABELS[(LABELS.index(label) + 1) % len(LABELS)]


def annotate(client: doccano.DoccanoClient, pid: int, style: str) -> None:
    """Correct every third suggestion, label the next one the same as suggested, confirm every example."""
    ids = client.label_types(pid, style)
    for example in client.examples(pid):
        meta = example["meta"]
        if style == "page":
            blocks = [(k, start, end, suggested) for k, (start, end, suggested, _) in enumerate(meta["blocks"])]
        else:
            blocks = [(meta["index"], None, None, meta["suggested"])]
        shown = None
        for k, start, end, suggested in blocks:
            if plan(k) == "correct":
                shown = shown or client.labels(pid, example["id"], style)  # the suggestions, owned by the pusher
                mine = next(s for s in shown if style == "block" or s["start_offset"] == start)
                client.delete_label(pid, example["id"], style, mine["id"])
                client.add_label(pid, example["id"], style, ids[other(suggested)], start=start, end=end)
            elif plan(k) == "same":
                client.add_label(pid, example["id"], style, ids[suggested], start=start, end=end)
        client.confirm(pid, example["id"])


def expected_blocks(model, paths, corpus) -> dict[tuple[str, int], tuple[str, str, str, str]]:
    """(doc_id, index) → (text, label, annotator, origin) that the pull must return."""
    out = {}
    for path in paths:
        page = model.process(read_bytes(path))
        doc_id = page_identity(path, corpus)[0]
        for k, block in enumerate(page.blocks):
            corrected = plan(k) == "correct"
            out[doc_id, k] = (block.text, other(block.label) if corrected else block.label, "annotator",
                              "corrected" if corrected else "accepted")
    return out


def pulled_blocks(path) -> dict[tuple[str, int], tuple[str, str, str, str]]:
    return {(p.doc_id, b.extra["index"]): (b.text, b.label, b.annotator, b.origin)
            for p in read_pages(path) if p.extra.get("doccano_project") for b in p.blocks}


@pytest.mark.parametrize("style", ["page", "block"])
def test_push_annotate_pull_round_trip(style, doccano_env, model, corpus, tmp_path):
    paths = sorted(EXAMPLES.glob("*.txt")) + ([corpus / SMALL_RELEASE] if style == "block" else
                                              sorted(EXAMPLES.glob("*.html.gz")))
    assert len(paths) == 5
    admin = login(doccano_env)
    project = f"roundtrip-{style}-{uuid.uuid4().hex[:8]}"
    annotator_name = doccano_env["DOCCANO_ANNOTATOR_USERNAME"]
    pushed = doccano.push(admin, [str(p) for p in paths], project=project, model=model, style=style,
                          corpus=corpus, members=[annotator_name])
    assert not pushed.failed and len(pushed.pages_pushed) == 5
    examples = admin.examples(pushed.project_id)
    assert len(examples) == pushed.examples_added == (5 if style == "page" else sum(
        len(model.segment(read_bytes(p))) for p in paths))

    # pushing the same pages again adds nothing
    missing = str(tmp_path / "gone.html")  # a bad page is reported, the others go on
    again = doccano.push(admin, [missing, *map(str, paths)], project=project, model=model, style=style,
                         corpus=corpus)
    assert again.examples_added == 0 and [why for _, why in again.skipped] == ["already in the project"] * 5
    assert again.failed == [(missing, "InputError: no such file")]
    assert len(admin.examples(pushed.project_id)) == len(examples)

    annotator = login(doccano_env, "DOCCANO_ANNOTATOR_")
    assert annotator.username == annotator_name != admin.username
    annotate(annotator, pushed.project_id, style)

    # a page already in the file must survive the pull untouched
    out = tmp_path / "doccano.jsonl"
    kept = SEED.parent.parent.parent / "annotations" / "gold.jsonl"
    first_line = kept.read_text(encoding="utf-8").splitlines()[0]
    out.write_text(first_line + "\n", encoding="utf-8")
    report = doccano.pull(admin, project=project, out=out, only_confirmed=True)
    assert report.problems == [] and report.merge.conflicts == []
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0]) == json.loads(first_line)
    want = expected_blocks(model, paths, corpus)
    assert pulled_blocks(out) == want
    assert {b[3] for b in want.values()} == {"accepted", "corrected"}
    before = out.read_text(encoding="utf-8")
    assert doccano.pull(admin, project=project, out=out).merge.votes_added == 0
    assert out.read_text(encoding="utf-8") == before

    # a second annotator disagrees on one block: a conflict with both votes, nobody wins
    doc_id, index = sorted(k for k in want if plan(k[1]) == "same")[0]
    second = new_annotator(admin, doccano_env, f"second-{uuid.uuid4().hex[:6]}")
    admin.add_member(pushed.project_id, second.username)
    ids = second.label_types(pushed.project_id, style)
    target = next(e for e in second.examples(pushed.project_id) if e["meta"]["doc_id"] == doc_id
                  and (style == "page" or e["meta"]["index"] == index))
    label = want[doc_id, index][1]
    if style == "page":
        start, end = target["meta"]["blocks"][index][:2]
        second.add_label(pushed.project_id, target["id"], style, ids[other(label)], start=start, end=end)
    else:
        second.add_label(pushed.project_id, target["id"], style, ids[other(label)])
    report = doccano.pull(admin, project=project, out=out)
    assert report.merge.conflicts == [(doc_id, index)]
    (page,) = [p for p in read_pages(out) if p.doc_id == doc_id]
    (conflict,) = page.extra["conflicts"]
    assert conflict["text"] == want[doc_id, index][0]
    assert {(v["annotator"], v["label"]) for v in conflict["votes"]} == {
        (annotator_name, label), (second.username, other(label))}
    assert index not in [b.extra["index"] for b in page.blocks]
    assert pulled_blocks(out) == {k: v for k, v in want.items() if k != (doc_id, index)}
    assert out.with_suffix(".jsonl.bak").exists()


def test_a_wrong_password_is_refused_without_being_echoed(doccano_env):
    secret = "not-the-password-" + secrets.token_hex(4)
    with pytest.raises(doccano.DoccanoError) as caught:
        doccano.DoccanoClient(doccano.Credentials(doccano_env["DOCCANO_URL"], "admin", secret))
    assert "refused the login" in str(caught.value) and secret not in str(caught.value)
