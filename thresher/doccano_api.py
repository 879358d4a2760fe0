"""doccano's REST API (``/v1``), the few calls the annotation loop needs, through ``requests``.

Token login, projects, label types, members, examples, their labels (``spans`` or
``categories``) and confirmation states. doccano-client is not used: it pins
pydantic<2, which current spaCy cannot share (see the README's Doccano section).

Credentials come from ``DOCCANO_URL``, ``DOCCANO_USERNAME``, ``DOCCANO_PASSWORD`` or,
for the last two, a netrc entry for the server's host; never from the command line.
"""

from __future__ import annotations

import netrc
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

import requests

from .labels import COLOURS, DEFINITIONS, LABELS

STYLES = {  # style -> (project type, polymorphic resource type, label-type endpoint, label endpoint)
    "page": ("SequenceLabeling", "SequenceLabelingProject", "span-types", "spans"),
    "block": ("DocumentClassification", "TextClassificationProject", "category-types", "categories"),
}
PAGE_SIZE = 100
TIMEOUT = 30.0


class DoccanoError(RuntimeError):
    """The doccano server refused a request or could not be reached."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """Where doccano is and who logs in; the password never shows in a repr."""

    url: str
    username: str
    password: str = field(repr=False)


def credentials(environ: Mapping[str, str] | None = None, netrc_file: str | None = None) -> Credentials:
    """Read the server and login from ``DOCCANO_*`` variables, else from netrc for the URL's host.

    Raises ``DoccanoError`` naming what is missing (never a secret).
    """
    env = os.environ if environ is None else environ
    url = env.get("DOCCANO_URL", "").strip()
    if not url:
        raise DoccanoError("set DOCCANO_URL to the doccano server (e.g. http://127.0.0.1:8000)")
    username, password = env.get("DOCCANO_USERNAME"), env.get("DOCCANO_PASSWORD")
    if not (username and password):
        parsed = urlparse(url)
        try:
            entries = netrc.netrc(netrc_file or env.get("NETRC") or None)
        except (FileNotFoundError, netrc.NetrcParseError):
            entries = None
        found = entries and (entries.authenticators(parsed.netloc) or entries.authenticators(parsed.hostname or ""))
        if not found:
            raise DoccanoError("no doccano login: set DOCCANO_USERNAME and DOCCANO_PASSWORD, "
                               f"or add a netrc entry for machine {parsed.hostname}")
        username, password = found[0], found[2]
    return Credentials(url.rstrip("/"), username, password)


class DoccanoClient:
    """A logged-in session on doccano's REST API (``/v1``), token-authenticated.

    Only what the loop needs: projects, label types, members, examples, their labels
    (``spans`` or ``categories``) and confirmation states.
    """

    def __init__(self, creds: Credentials, *, timeout: float = TIMEOUT) -> None:
        self.url = creds.url
        self.username = creds.username
        self.timeout = timeout
        self.session = requests.Session()
        try:
            answer = self.session.post(f"{self.url}/v1/auth/login/", timeout=timeout,
                                       json={"username": creds.username, "password": creds.password})
        except requests.RequestException as exc:
            raise DoccanoError(f"cannot reach doccano at {self.url}: {type(exc).__name__}") from None
        if answer.status_code != 200 or "key" not in answer.json():
            raise DoccanoError(f"doccano at {self.url} refused the login of {creds.username!r} "
                               f"(HTTP {answer.status_code})")
        # the token spares every later request the session's CSRF dance
        self.session.headers["Authorization"] = f"Token {answer.json()['key']}"
        self.session.cookies.clear()
        self.user_id = self.request("GET", "/v1/me")["id"]

    def request(self, method: str, path: str, **kwargs) -> dict | list | None:
        """One API call; an HTTP error becomes a ``DoccanoError`` with the server's answer."""
        try:
            answer = self.session.request(method, f"{self.url}{path}", timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise DoccanoError(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        if answer.status_code >= 400:
            raise DoccanoError(f"{method} {path}: HTTP {answer.status_code}: {answer.text[:300]}")
        return answer.json() if answer.content else None

    def paged(self, path: str, **params) -> Iterator[dict]:
        """Every item of a paginated list."""
        offset = 0
        while True:
            page = self.request("GET", path, params={**params, "limit": PAGE_SIZE, "offset": offset})
            yield from page["results"]
            offset += len(page["results"])
            if not page["next"] or not page["results"]:
                return

    # -- projects and members -----------------------------------------------------------
    def find_project(self, name: str) -> dict | None:
        """The project called ``name`` exactly, or None."""
        return next((p for p in self.paged("/v1/projects", q=name) if p["name"] == name), None)

    def create_project(self, name: str, style: str) -> dict:
        """A collaborative project of the style's type (see the module docstring for why)."""
        project_type, resource, _, _ = STYLES[style]
        return self.request("POST", "/v1/projects", json={
            "name": name, "project_type": project_type, "resourcetype": resource,
            "description": f"Thresher {style}-style labeling: correct the suggested labels, then confirm.",
            "guideline": guideline(style), "collaborative_annotation": True,
            "single_class_classification": False, "allow_overlapping": True,
        })

    def user_names(self) -> dict[int, str]:
        """User id → name for every user (needs project-admin rights)."""
        return {u["id"]: u["username"] for u in self.request("GET", "/v1/users")}

    def add_member(self, project_id: int, username: str, role: str = "annotator") -> None:
        """Make ``username`` a member of the project (no-op when already one)."""
        members = self.request("GET", f"/v1/projects/{project_id}/members")
        if any(m["username"] == username for m in members):
            return
        users = {name: uid for uid, name in self.user_names().items()}
        roles = {r["name"]: r["id"] for r in self.request("GET", "/v1/roles")}
        if username not in users:
            raise DoccanoError(f"no doccano user {username!r}")
        self.request("POST", f"/v1/projects/{project_id}/members", json={"user": users[username], "role": roles[role]})

    # -- labels ---------------------------------------------------------------------------
    def label_types(self, project_id: int, style: str) -> dict[str, int]:
        """Label name → label-type id."""
        kinds = STYLES[style][2]
        return {t["text"]: t["id"] for t in self.request("GET", f"/v1/projects/{project_id}/{kinds}")}

    def ensure_labels(self, project_id: int, style: str) -> dict[str, int]:
        """Create the five labels (fixed colours) where missing; return name → id."""
        kinds = STYLES[style][2]
        have = self.label_types(project_id, style)
        for name in LABELS:
            if name not in have:
                made = self.request("POST", f"/v1/projects/{project_id}/{kinds}",
                                    json={"text": name, "background_color": COLOURS[name], "text_color": "#ffffff"})
                have[name] = made["id"]
        return have

    def examples(self, project_id: int) -> list[dict]:
        return list(self.paged(f"/v1/projects/{project_id}/examples"))

    def create_example(self, project_id: int, text: str, meta: dict) -> dict:
        return self.request("POST", f"/v1/projects/{project_id}/examples", json={"text": text, "meta": meta})

    def labels(self, project_id: int, example_id: int, style: str) -> list[dict]:
        """Every user's labels on an example (the project is collaborative)."""
        return self.request("GET", f"/v1/projects/{project_id}/examples/{example_id}/{STYLES[style][3]}")

    def add_label(self, project_id: int, example_id: int, style: str, label_id: int, *,
                  start: int | None = None, end: int | None = None, prob: float = 0.0) -> dict:
        """A span (``start``/``end``) or a category, owned by the logged-in user."""
        body: dict = {"label": label_id, "prob": prob}
        if style == "page":
            body |= {"start_offset": start, "end_offset": end}
        return self.request("POST", f"/v1/projects/{project_id}/examples/{example_id}/{STYLES[style][3]}", json=body)

    def delete_label(self, project_id: int, example_id: int, style: str, label_id: int) -> None:
        self.request("DELETE", f"/v1/projects/{project_id}/examples/{example_id}/{STYLES[style][3]}/{label_id}")

    def confirmers(self, project_id: int, example_id: int) -> list[int]:
        """Ids of the users who confirmed the example (the checkmark)."""
        states = self.request("GET", f"/v1/projects/{project_id}/examples/{example_id}/states")
        return [s["confirmed_by"] for s in (states["results"] if isinstance(states, dict) else states)]

    def confirm(self, project_id: int, example_id: int) -> None:
        """Set the checkmark; doccano's call toggles it, so it is only made when the mark is off."""
        if not self.confirmers(project_id, example_id):
            self.request("POST", f"/v1/projects/{project_id}/examples/{example_id}/states", json={})


def guideline(style: str) -> str:
    """The project guideline: what to do, and the labels' one-line definitions."""
    unit = "each block (a span; blocks are separated by blank lines)" if style == "page" else "the block"
    lines = [f"Label {unit} with one of five labels. The model's suggestion is already there:",
             "keep it if it is right, replace it with your own label if it is wrong, then confirm the example.", ""]
    lines += [f"* **{name}**: {DEFINITIONS[name]}" for name in LABELS]
    return "\n".join(lines)
