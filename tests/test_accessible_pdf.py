"""The published PDF is tagged (PDF/UA-1), has its language, bookmarks, and every chart's alt text from the data."""

from __future__ import annotations

import json


def _walk(node, seen=None):
    """Every structure element under a node of the structure tree."""
    seen = seen if seen is not None else set()
    node = node.get_object() if hasattr(node, "get_object") else node
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, dict):
        yield node
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                kid = kid.get_object() if hasattr(kid, "get_object") else kid
                if isinstance(kid, dict):
                    yield from _walk(kid, seen)


def test_structure_language_bookmarks_and_alt_texts(built_paper):
    from pypdf import PdfReader

    reader = PdfReader(built_paper / "working_paper.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"]
    assert "pdfuaid" in root["/Metadata"].get_data().decode()
    elements = list(_walk(root["/StructTreeRoot"]))
    kinds = {str(e.get("/S")) for e in elements}
    assert {"/H1", "/H2", "/P", "/Figure"} <= kinds
    alts = {str(e["/Alt"]) for e in elements if e.get("/S") == "/Figure" and "/Alt" in e}
    manifest = json.loads((built_paper / "charts/charts.json").read_text(encoding="utf-8"))
    assert manifest and {c["alt"] for c in manifest} <= alts
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "INTRODUCTION" in titles and any(t.startswith("ANNEX III") for t in titles)
    assert reader.metadata.title and reader.metadata.author
