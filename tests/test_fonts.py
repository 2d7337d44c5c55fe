"""The PDF's fonts travel with the project: respondents' scripts render without system fonts, and a
character no font has stops the build with one row of the problem table."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, copy_repo, run_snakemake
from surveypaper import fonts
from surveypaper.document import build_html
from surveypaper.pdf import _make_fetcher

COMMENTS = {  # State -> a comment in another script
    "JPN": "移民与发展的政策协调",  # Chinese
    "EGY": "نعمل على تعزيز الروابط مع المهاجرين",  # Arabic
    "RUS": "Мы укрепляем связи с мигрантами",  # Russian
}


def add_comment(repo: Path, state: str, text: str) -> None:
    """Give ``state`` a comment on `collaboration` and print it in the recommendations section."""
    response = repo / f"raw/responses/2008/{state}.yaml"
    body = response.read_text(encoding="utf-8")
    line = f"  collaboration: {json.dumps(text, ensure_ascii=False)}\n"
    if "comments: {}\n" in body:
        body = body.replace("comments: {}\n", "comments:\n" + line)
    else:
        body = body.replace("comments:\n", "comments:\n" + line, 1)
    response.write_text(body, encoding="utf-8")
    section = repo / "templates/sections/08_recommendations.md.j2"
    section.write_text(
        section.read_text(encoding="utf-8") + f"\n{state} wrote: {{{{ survey.comments.{state}.collaboration }}}}\n",
        encoding="utf-8",
    )


def pdf_fonts(pdf: Path) -> set[str]:
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    return {
        str(f.get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in reader.pages
        for f in (page["/Resources"].get("/Font") or {}).values()
    }


# --- which faces a paper loads ---------------------------------------------------------------


def test_unicode_range_is_parsed():
    assert fonts.parse_unicode_range("U+0600-06FF, U+4??, U+20000-2FA1F") == [
        (0x600, 0x6FF),
        (0x400, 0x4FF),
        (0x20000, 0x2FA1F),
    ]
    with pytest.raises(ValueError):
        fonts.parse_unicode_range("U+4?-50")


def test_a_face_is_kept_only_for_text_in_its_range():
    css = (ROOT / "templates/css/fonts.css").read_text(encoding="utf-8")
    english = fonts.faces_for_text(css, "The States answered — 53 of them, “yes”.")
    assert "Paper Serif" in english and "Paper CJK" not in english and "Paper Arabic" not in english
    chinese = fonts.faces_for_text(css, "Indonesia wrote: 移民")
    assert "Paper CJK" in chinese and "Paper Arabic" not in chinese
    assert "Paper Arabic" in fonts.faces_for_text(css, "مرحبا")


def test_the_shipped_paper_loads_no_cjk_or_arabic_face():
    """The default build's print HTML names neither face, so WeasyPrint reads neither file (19.5 MB for CJK)."""
    from surveypaper.project import load_paper

    html = build_html("## A\n\nText in English.\n", load_paper(ROOT / "templates/paper.yaml"), None, "print")
    assert "LiberationSerif-Regular.ttf" in html
    assert "NotoSansCJK" not in html and "NotoNaskhArabic" not in html


# --- a packaged font, and the fetcher's sandbox ---------------------------------------------


def test_package_url_names_a_font_file_of_the_package_and_nothing_else():
    font = fonts.package_font("package:noto_cjk_sans_otc/NotoSansCJK-Regular.ttc")
    assert font is not None and font.is_file() and font.stat().st_size > 10_000_000
    assert fonts.package_font("package:noto_cjk_sans_otc/__init__.py") is None  # not a font
    escape = "package:noto_cjk_sans_otc/../../../../../../usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    assert fonts.package_font(escape) is None  # outside the package
    assert fonts.package_font("package:no_such_package_here/x.ttf") is None
    assert fonts.package_font("package:os.path/x.ttf") is None


def test_fetcher_loads_a_packaged_font_and_refuses_other_package_files():
    from weasyprint.urls import FatalURLFetchingError, fetch

    fetcher, _ = _make_fetcher(ROOT / "templates")
    with fetch(fetcher, "package:noto_cjk_sans_otc/NotoSansCJK-Regular.ttc") as response:
        assert response.read(4) == b"ttcf"
    for url in ("package:noto_cjk_sans_otc/__init__.py", "package:surveypaper/../../pyproject.toml"):
        with pytest.raises(FatalURLFetchingError, match="not a font file of an installed package"):
            fetcher.fetch(url)


# --- whole builds ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory) -> Path:
    repo = copy_repo(tmp_path_factory.mktemp("fonts") / "repo")
    for state, text in COMMENTS.items():
        add_comment(repo, state, text)
    result = run_snakemake(repo)
    assert result.returncode == 0, result.stderr[-3000:]
    return repo / "output"


def test_chinese_arabic_and_russian_comments_render_with_the_project_fonts(multilingual):
    from pypdf import PdfReader

    reader = PdfReader(multilingual / "working_paper.pdf")
    text = "".join(page.extract_text() or "" for page in reader.pages[-12:]).replace("\n", "")
    for snippet in ("移民与发展", "Мы укрепляем", "المهاجرين"):
        assert snippet in text or snippet[::-1] in text, snippet
    used = pdf_fonts(multilingual / "working_paper.pdf")
    assert {"Paper-Serif", "Paper-CJK", "Paper-Arabic"} <= used, used
    # every face is one the project ships, the charts' too (no system font: DejaVu, Droid, another Liberation)
    assert all(name.startswith("Paper-") for name in used), used


def _uncovered_character() -> str:
    """A character of a script that no installed font (system or the project's) has."""
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list (fontconfig) is needed to find a character no font has")
    for cp in (0x13000, 0x12000, 0x10000, 0x16A0, 0x1C50, 0x2C80):  # hieroglyph, cuneiform, Linear B, ...
        listed = subprocess.run(["fc-list", f":charset={cp:x}"], capture_output=True, text=True).stdout
        if not listed.strip():
            return chr(cp)
    pytest.skip("every candidate script has a font installed on this machine")


def test_a_character_no_font_has_stops_the_build_with_one_problem_row(tmp_path):
    char = _uncovered_character()
    repo = copy_repo(tmp_path / "repo")
    add_comment(repo, "EGY", f"Hieroglyphs {char}{char} in a comment")
    result = run_snakemake(repo)
    assert result.returncode != 0
    err = result.stderr
    assert "1 problem in the input:" in err, err[-3000:]
    row = next(line for line in err.splitlines() if line.startswith("raw/responses/2008/EGY.yaml"))
    assert "EGY, comments.collaboration" in row and repr(char) in row
    assert "templates/fonts/" in row and "templates/css/fonts.css" in row and "print.css" in row
    assert ".notdef" not in err  # the table, not a dump of WeasyPrint's warnings
    assert not (repo / "output/working_paper.pdf").exists()


def test_problems_name_each_text_holding_the_characters():
    responses = {
        "rounds": {
            "2008": [
                {"state": "EGY", "source": "raw/responses/2008/EGY.yaml", "comments": {"a": "x\U00013000", "b": "ok"}},
                {"state": "ARG", "source": "raw/responses/2008/r.csv:4", "comments": {"c": "\U00013000\U00013001"}},
            ]
        }
    }
    problems = fonts.missing_glyph_problems("\U00013000\U00013001\U00012000", responses)
    assert [(p.file, p.where, p.value) for p in problems] == [
        ("raw/responses/2008/EGY.yaml", "EGY, comments.a", "\U00013000"),
        ("raw/responses/2008/r.csv", "ARG, comments.c (row 4)", "\U00013000\U00013001"),
        ("templates/", "the paper's own text", "\U00012000"),
    ]


def test_notdef_warnings_are_read_back():
    messages = [
        'WARNING: .notdef glyph rendered for Unicode string unsupported by fonts: "\U00013000" (U+13000)',
        "WARNING: something else",
        'WARNING: .notdef glyph rendered for Unicode string unsupported by fonts: "\U00013000" (U+13000)',
    ]
    assert fonts.notdef_characters(messages) == "\U00013000"
