"""Provenance: each computed value of the screen HTML carries its expression; provenance.json lists them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from surveypaper import project, provenance
from surveypaper.templating import markdown_from_context


@pytest.fixture(scope="module")
def marked(shipped_project):
    """(plain Markdown, marked Markdown, entries, provenance list) of the shipped project, no build."""
    return provenance.project_provenance(project.project_paths(shipped_project))


def _find(items, text):
    return [e for e in items if e["text"] == text]


def test_marked_markdown_reads_as_the_plain_one(marked):
    plain, md, entries, _ = marked
    assert md != plain and entries
    assert provenance.strip_marks(md) == plain


def test_fifty_three_respondents(marked):
    *_, items = marked
    found = _find(items, "Fifty-three")
    assert found, [e["text"] for e in items[:10]]
    assert found[0]["expr"] == "survey.n | words | cap"
    assert found[0]["value"] == 53
    assert found[0]["section"]


def test_eighty_four_percent_is_42_of_50_with_3_blank(marked):
    *_, items = marked
    found = [e for e in _find(items, "Eighty-four percent") if e.get("question") == "migration_in_development"]
    assert found
    e = found[0]
    assert e["expr"].startswith("survey.q.migration_in_development.pct")
    assert (e["k"], e["n"], e["blank"], e["value"]) == (42, 50, 3, 84)
    assert len(e["states"]) == 42
    assert e["section"]


def test_26_out_of_53_is_national_plan(marked):
    *_, items = marked
    k = [e for e in _find(items, "26") if e["expr"] == "survey.q.national_plan.yes"]
    n = [e for e in _find(items, "53") if e["expr"] == "survey.q.national_plan.answered"]
    assert k and n
    assert k[0]["question"] == n[0]["question"] == "national_plan"
    assert (k[0]["k"], k[0]["n"]) == (26, 53)
    assert len(k[0]["states"]) == 26


def test_lists_of_states_carry_their_states(marked):
    *_, items = marked
    lists = [e for e in items if e["expr"].startswith("survey.themes.") and "states" in e]
    assert lists and all(len(e["states"]) == len(e["value"]) for e in lists)


def test_settings_are_not_marked(marked):
    _, _, entries, _ = marked
    roots = {re.match(r"\w+", e.expr).group(0) for e in entries}
    assert not roots & {"paper", "questionnaire", "charts", "loop", "q", "c", "section"}


def test_expression_text_is_rebuilt_from_tokens(tmp_path):
    (tmp_path / "t.md.j2").write_text(
        '{{ a.b | f("x y", n=2) | cap }} {{ paper.title }} {% for c in charts %}{{ c }}{% endfor %}'
        "{% for s in xs %}{{ s }}{% endfor %}\n",
        encoding="utf-8",
    )
    from surveypaper.templating import make_env

    env = make_env(tmp_path)
    env.add_extension(provenance.ProvenanceExtension)
    rec = provenance.Recorder()
    env.globals["_prov"] = rec.make_global()
    env.filters["f"] = lambda v, s, n: f"{v}-{s}-{n}"
    out = markdown_from_context(
        tmp_path,
        {"a": {"b": 1}, "paper": {"title": "T"}, "charts": ["c1"], "xs": ["s1"]},
        entry="t.md.j2",
        env=env,
    )
    assert [e.expr for e in rec.entries] == ['a.b | f("x y", n=2) | cap', "s"]
    assert provenance.strip_marks(out) == "1-x y-2 T c1s1\n"


def test_screen_html_spans_and_page_structure(marked, shipped_project):
    """The marked page, its spans removed, is the page made from the plain Markdown; markers never leak."""
    from surveypaper.document import build_html

    plain, md, entries, _ = marked
    paths = project.project_paths(shipped_project)
    meta = project.load_paper(paths.templates / "paper.yaml")
    html = provenance.marks_to_spans(build_html(md, meta, None, "screen", paths.templates), entries)
    ref = build_html(plain, meta, None, "screen", paths.templates)
    assert not re.search(f"[{provenance._MARK_CHARS}]", html)
    assert 'data-expr="survey.q.migration_in_development.pct | pct_words | cap"' in html
    assert html.count('class="computed"') == len(entries)

    def unspanned(text):
        return re.sub(r'<span class="computed" data-expr="[^"]*" data-prov="\d+" tabindex="0">|</span>', "", text)

    assert unspanned(html) == unspanned(ref)


def test_built_page_and_provenance_json(built_paper: Path):
    html = (built_paper / "working_paper.html").read_text(encoding="utf-8")
    assert re.search(r'data-expr="survey\.n \| words \| cap"[^>]*>Fifty-three</span>', html)
    assert re.search(r'data-expr="survey\.q\.migration_in_development\.pct[^"]*"[^>]*>Eighty-four percent</span>', html)
    items = json.loads((built_paper / "provenance.json").read_text(encoding="utf-8"))
    assert {"text", "expr", "value", "section"} <= set(items[0])
    assert _find(items, "Eighty-four percent")
    cards = json.loads(re.search(r'id="provenance-cards">(.*?)</script>', html).group(1))
    i = next(str(e["index"]) for e in items if e["text"] == "Eighty-four percent")
    assert "42 of 50" in cards[i] and "3 of the 53 asked left it blank" in cards[i]
    assert 'href="#question-migration_in_development"' in cards[i] and 'href="#figure-1-' in cards[i]
    assert 'id="question-migration_in_development"' in html and 'id="show-sources"' in html
    md = (built_paper / "working_paper.md").read_text(encoding="utf-8")
    assert "data-expr" not in md and not re.search(f"[{provenance._MARK_CHARS}]", md)


def test_explain_finds_a_percentage_in_words_and_in_figures(marked):
    from surveypaper.commands import explain

    *_, items = marked
    in_words = explain.find(items, "Eighty-four percent")
    in_figures = explain.find(items, "84%")
    assert in_words and in_words == in_figures
    assert any(e.get("question") == "migration_in_development" and (e["k"], e["n"]) == (42, 50) for e in in_words)
    assert explain.find(items, "Seventeen hundred") == []


def test_explain_k_out_of_n_names_national_plan(marked, shipped_project):
    from surveypaper import project
    from surveypaper.commands import explain

    *_, items = marked
    hits = explain.find(items, "26 out of 53")
    assert hits and {e["question"] for e in hits} == {"national_plan"}
    questions = project.load_questionnaire(shipped_project / "raw/questionnaire.yaml").questions
    text = explain.describe(hits[0], questions)
    assert "national_plan" in text and questions["national_plan"].text in text
    assert "States (26):" in text


def test_paper_explain_command(shipped_project, capsys):
    from surveypaper.cli import main

    assert main(["explain", "26 out of 53", "--root", str(shipped_project)]) == 0
    out = capsys.readouterr().out
    assert "national_plan" in out and "26 of 53" in out
    assert main(["explain", "84%", "--json", "--root", str(shipped_project)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any(e["text"] == "Eighty-four percent" and e["blank"] == 3 for e in data)
    assert main(["explain", "nothing like it", "--root", str(shipped_project)]) == 1


def test_cards_of_a_percentage_a_count_and_a_list(marked):
    *_, items = marked
    pct = next(e for e in items if e["text"] == "Eighty-four percent")
    card = provenance.card_html(pct, {"question": "question-x", "chart": "figure-1-x"})
    assert "Q1, yes" in card and "42 of 50 answering States" in card and "3 of the 53 asked left it blank" in card
    assert "42 States:" in card and "and 30 more" in card
    assert 'href="#question-x"' in card and 'href="#figure-1-x"' in card
    count = next(e for e in items if e["text"] == "Fifty-three")
    assert "survey.n | words | cap" in provenance.card_html(count)
    listed = next(e for e in items if e["expr"].startswith("survey.themes.") and e.get("states"))
    card = provenance.card_html(listed)
    assert f"{len(listed['states'])} States: {listed['states'][0]}" in card
    hostile = provenance.card_html({**listed, "states": ["<script>x</script>"]})
    assert "<script>" not in hostile


def test_every_figure_of_the_paper_has_provenance_or_is_prose_the_lint_accepts(marked):
    """Coverage, not a sample: with its computed values blanked out, the paper as printed has no
    number, number-word or percentage the template lint would call a typed figure (charts' alt
    texts aside: they are computed by the charts module and printed in no text)."""
    from surveypaper.lint import find_typed_figures

    plain, md, _, _ = marked
    blanked = re.sub(
        f"{provenance.OPEN}[^{provenance.SEP}]*{provenance.SEP}[^{provenance.CLOSE}]*{provenance.CLOSE}", "{{ v }}", md
    )
    assert provenance.OPEN not in blanked
    # a chart's alt text is an attribute, not text a span can wrap: the charts module computes it
    blanked = re.sub(r"^!\[.*\]\(.*\)$", "", blanked, flags=re.M)
    assert find_typed_figures(blanked, "working_paper.md") == []
    # the check can fail: the same paper without the marks prints figures the lint refuses
    assert len(find_typed_figures(plain, "working_paper.md")) >= 5
