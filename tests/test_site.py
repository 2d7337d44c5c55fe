"""The static site (output/site/): its pages for a State in both rounds, in one round, and a new
State; respondents' hostile text escaped on every page; only published contacts anywhere; a new
response rewrites only the pages it changes; the pages open in Chromium without console errors."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, copy_built_repo, run_snakemake

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)> & \"quoted\""
NEW_STATE = """\
state: KEN
answers:
  migration_in_development: yes
  national_plan: no
  national_plan_intended: no
comments:
  migration_in_development: "HOSTILE"
  consultation_progress: "HOSTILE"
themes: [anti_trafficking]
contact: {name: Wanjiru Published, email: focal.point@example.org, phone: "+254 20 555 0100", publish: yes}
"""
SECRET = {"name": "Olav Unpublished", "email": "secret.person@example.no", "phone": "+47 22 55 55 99"}


def text_of(page: Path) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split())


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def site(built_paper) -> Path:
    return built_paper / "site"


@pytest.fixture(scope="module")
def grown(tmp_path_factory, built_paper):
    """The built repository after a new State's response (hostile text, a published contact) and an
    unpublished contact added to Norway's: (site before, its mtimes and bytes, the repository after)."""
    repo = copy_built_repo(tmp_path_factory.mktemp("site") / "repo", built_paper)
    site = repo / "output/site"
    before_m, before_b = mtimes(site), contents(site)
    with open(repo / "raw/states.yaml", "a", encoding="utf-8") as fh:
        fh.write("KEN: {name: Kenya}\n")
    (repo / "raw/responses/2008/KEN.yaml").write_text(
        NEW_STATE.replace("HOSTILE", HOSTILE.replace("\\", "\\\\").replace('"', '\\"')), encoding="utf-8"
    )
    nor = repo / "raw/responses/2008/NOR.yaml"
    contact = ", ".join(f"{k}: {v!r}" for k, v in SECRET.items())
    nor.write_text(nor.read_text(encoding="utf-8") + f"contact: {{{contact}, publish: no}}\n", encoding="utf-8")
    result = run_snakemake(repo)
    assert result.returncode == 0, result.stderr[-4000:]
    return before_m, before_b, repo


def test_index_lists_the_current_rounds_states_and_links_every_page(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    rows = re.findall(
        r'<tr data-themes="[^"]*" data-answers="[^"]*">\s*<th scope="row"><a href="states/(\w{3})\.html"', index
    )
    assert len(rows) == 53 and "ARG" in rows and "BGD" not in rows  # Bangladesh answered in 2007 only
    assert 'href="states/BGD.html"' in index  # ... listed among the earlier rounds' respondents
    for href in set(re.findall(r'href="((?:states|themes|questions)/[^"]+)"', index)):
        assert (site / href).is_file(), href
    assert len(re.findall(r"<script", index)) == 1 and '<form id="filter" hidden>' in index


def test_a_state_in_both_rounds_shows_them_side_by_side(site, built_paper):
    page = (site / "states/ARG.html").read_text(encoding="utf-8")
    text = text_of(site / "states/ARG.html")
    assert '<th scope="col">2007</th><th scope="col">2008</th>' in page
    assert "Responded in 2007, 2008" in text
    # question 9 (b) was not asked in 2007; Argentina answered monthly in 2008
    assert re.search(r"9 \(b\) Frequency of formal consultations not asked monthly", text)
    assert "Inward labour migration is important to our national economic development." in text
    assert 'href="../themes/regional_process.html"' in page
    # passages of the paper naming Argentina, linked to their section of the paper
    links = re.findall(r'href="\.\./\.\./working_paper\.html#([\w-]+)"', page)
    assert len(links) >= 5
    paper = (built_paper / "working_paper.html").read_text(encoding="utf-8")
    for anchor in set(links):
        assert f'id="{anchor}"' in paper, anchor
    assert "South American Conference on Migration" in text.split("In the paper", 1)[1]


def test_a_state_in_one_round_only(site):
    page = (site / "states/BGD.html").read_text(encoding="utf-8")
    assert '<th scope="col">2007</th>' in page and "2008</th>" not in page
    assert "Responded in 2007" in text_of(site / "states/BGD.html")
    page = (site / "states/ZMB.html").read_text(encoding="utf-8")
    assert '<th scope="col">2008</th>' in page and "2007</th>" not in page


def test_theme_and_question_pages(site):
    theme = text_of(site / "themes/regional_process.html")
    assert "Argentina" in theme and "South American Conference on Migration" in theme
    question = (site / "questions/national_plan.html").read_text(encoding="utf-8")
    assert "<svg" in question and 'href="../states/ARG.html"' in question
    assert "<svg" not in (site / "questions/consultation_progress.html").read_text(encoding="utf-8")


def test_regions_show_on_the_index_when_the_data_has_them(built_paper):
    from surveypaper import project
    from surveypaper.site import build_site, regions_of

    build = built_paper / ".build"
    responses = json.loads((build / "responses.json").read_text(encoding="utf-8"))
    stats = {"current": "2008", "rounds": {"2008": {"regions": {"Americas": ["ARG"], "Europe": ["NOR"]}}}}
    raw, templates = ROOT / "raw", ROOT / "templates"
    args = [
        responses,
        (build / "working_paper.md").read_text(encoding="utf-8"),
        {},
        project.load_questionnaire(raw / "questionnaire.yaml"),
        project.load_states(raw / "states.yaml"),
        project.load_themes(raw / "themes.yaml"),
        project.load_paper(templates / "paper.yaml"),
        templates,
    ]
    index = build_site(*args, regions_of(stats))["index.html"]
    assert '<th scope="col">Region</th>' in index
    assert re.search(r'href="states/ARG\.html">Argentina</a></th><td>Americas</td>', index)
    assert "Region</th>" not in build_site(*args, regions_of({"current": "2008", "rounds": {"2008": {}}}))["index.html"]


def test_a_new_state_gets_its_page(grown):
    _, _, repo = grown
    site = repo / "output/site"
    text = text_of(site / "states/KEN.html")
    assert "Kenya" in text and "Responded in 2008" in text
    assert '<th scope="col">2008</th>' in (site / "states/KEN.html").read_text(encoding="utf-8")
    assert "Wanjiru Published" in text and "focal.point@example.org" in text
    assert 'href="states/KEN.html"' in (site / "index.html").read_text(encoding="utf-8")


def test_hostile_comment_text_is_escaped_on_every_page(grown):
    _, _, repo = grown
    shown = 0
    for page in (repo / "output").rglob("*.html"):
        raw = page.read_text(encoding="utf-8")
        assert "<script>alert" not in raw and "<img src=x" not in raw, page
        if "alert(&#39;x&#39;)" in raw or "alert('x')" in text_of(page):
            shown += 1
    # the State's page, the theme's page, the two questions' pages
    assert shown >= 4
    for rel in ("states/KEN.html", "themes/anti_trafficking.html", "questions/consultation_progress.html"):
        assert HOSTILE in text_of(repo / "output/site" / rel), rel


def test_only_published_contacts_reach_any_output(grown):
    _, _, repo = grown
    for path in (repo / "output").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for value in SECRET.values():
                assert value.encode() not in data, (path, value)
    assert "Wanjiru Published" in text_of(repo / "output/site/states/KEN.html")


def test_a_new_response_rewrites_only_the_pages_it_changes(grown):
    before_m, before_b, repo = grown
    site = repo / "output/site"
    after_m, after_b = mtimes(site), contents(site)
    assert set(after_b) - set(before_b) == {"states/KEN.html"}
    changed = {p for p in before_b if after_b[p] != before_b[p]}
    assert "index.html" in changed and "questions/consultation_progress.html" in changed
    unchanged = set(before_b) - changed
    assert {"states/ARG.html", "states/NOR.html", "states/BGD.html"} <= unchanged  # NOR: its contact is not published
    for rel in unchanged:
        assert after_m[rel] == before_m[rel], rel  # not rewritten
    assert len([p for p in unchanged if p.startswith("states/")]) >= 50


CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def test_pages_open_in_chromium_without_console_errors(grown):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=390,844"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    site = grown[2] / "output/site"
    try:
        for rel in (
            "index.html",
            "states/KEN.html",
            "states/ARG.html",
            "themes/anti_trafficking.html",
            "questions/national_plan.html",
        ):
            driver.get((site / rel).as_uri())
            assert driver.find_element("tag name", "h1").text
            errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
            assert errors == [], (rel, errors)
        # the filter: a theme keeps only the rows that carry it
        driver.get((site / "index.html").as_uri())
        from selenium.webdriver.support.ui import Select

        Select(driver.find_element("name", "t")).select_by_value("anti_trafficking")
        shown = [r for r in driver.find_elements("css selector", ".glance tbody tr") if r.is_displayed()]
        assert 0 < len(shown) < 53 and any("Kenya" in r.text for r in shown)
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        driver.quit()
