"""Respondents' text stays inert: escaped in HTML and Markdown, never a template, never fetched; RTL and CJK kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import copy_repo, run_snakemake

NASTY = (
    "<script>alert(1)</script> {{ 7*7 }} {% if true %}x{% endif %} ![x](file:///etc/passwd) "
    '<img src="http://169.254.169.254/latest"> <link rel="attachment" href="file:///etc/passwd"> '
    "[click](javascript:alert(1)) **loud** مرحبا بالعالم 移民与发展"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    import json

    repo = copy_repo(tmp_path_factory.mktemp("inert") / "repo")
    response = repo / "raw/responses/2008/IDN.yaml"
    text = response.read_text(encoding="utf-8").replace("comments: {}\n", "")
    response.write_text(text + f"comments:\n  collaboration: {json.dumps(NASTY)}\n", encoding="utf-8")
    section = repo / "templates/sections/08_recommendations.md.j2"
    section.write_text(
        section.read_text(encoding="utf-8") + "\nIndonesia wrote: {{ survey.comments.IDN.collaboration }}\n",
        encoding="utf-8",
    )
    result = run_snakemake(repo)
    assert result.returncode == 0, result.stderr[-3000:]
    return repo / "output"


def test_html_escapes_markup_and_fetches_nothing(built):
    html = (built / "working_paper.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "169.254.169.254" not in re.findall(r'src="([^"]*)"', html)
    assert not re.search(r'<img[^>]+src="(file|http)', html)
    assert not re.search(r"<link[^>]+attachment", html)
    assert 'href="javascript' not in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("Indonesia wrote:")[1][:400]
    assert "مرحبا بالعالم" in html and "移民与发展" in html


def test_markdown_keeps_the_text_literal(built):
    md = (built / "working_paper.md").read_text(encoding="utf-8")
    line = next(line for line in md.splitlines() if line.startswith("Indonesia wrote:"))
    assert r"\<script\>" in line and r"\!\[x\]" in line and r"\*\*loud\*\*" in line
    assert "移民与发展" in line


def test_pdf_renders_rtl_and_cjk_and_embeds_nothing(built):
    from pypdf import PdfReader

    reader = PdfReader(built / "working_paper.pdf")
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"].get("/Names", {}))
    text = "".join(page.extract_text() or "" for page in reader.pages[-12:])
    assert "移民与发展" in text.replace("\n", "")
    assert "<script>alert(1)</script>" in text.replace("\n", " ")
    fonts = {
        str(f.get_object()["/BaseFont"])
        for page in reader.pages
        for f in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("Paper-CJK" in f for f in fonts), fonts  # the project's own CJK face, not a system one
