"""The lint that keeps survey figures out of the prose: what it catches, what it leaves alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from surveypaper.lint import find_typed_figures, lint_templates, main, strip_jinja

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def found(text: str) -> list[str]:
    return [f.message for f in find_typed_figures(text, "snippet.md.j2")]


# --- each kind of typed figure is caught ---------------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [
        "and **84%** of the States reported",
        "and 84 % of the States reported",
        "84 percent of the States reported",
        "Eighty-four percent of the States reported",
        "**Seventy-nine percent** of the States that responded",
        "eighty-four per cent of the respondents",
    ],
)
def test_percentages_are_caught(snippet):
    messages = found(snippet)
    assert len(messages) == 1 and "percentage" in messages[0]


@pytest.mark.parametrize(
    "snippet",
    [
        "Approximately half (**26** out of **53**) of the States",
        "In 2007, only 9 States out of 45 responded",
        "twenty-six out of fifty-three States",
        "only {{ previous.q.national_plan.yes }} States out of 45 responded",
    ],
)
def test_k_out_of_n_is_caught(snippet):
    messages = found(snippet)
    assert len(messages) == 1 and "out of" in messages[0]


@pytest.mark.parametrize("snippet", ["26 of 53 States have a plan", "26 of the 53 responding States"])
def test_k_of_n_states_is_caught(snippet):
    messages = found(snippet)
    assert len(messages) == 1 and "k of n" in messages[0]


@pytest.mark.parametrize(
    "snippet",
    [
        "15 States (Azerbaijan, Belgium) responded",
        "**Fifty-three** responses to the questionnaire were received",
        "it is interesting to note that six States that responded last year",
        "Moreover, seven of the States that reported last year",
        "Of those, **10** States responded that they intend",
        "All 53 respondents answered",
        "ten Member States",
        "twelve governments replied",
        "three other countries",
        "only one State",
    ],
)
def test_counts_of_states_are_caught(snippet):
    messages = found(snippet)
    assert len(messages) == 1 and "count of States" in messages[0]


@pytest.mark.parametrize("snippet", ["Fifty-three responded to the questionnaire", "In all, 53 have responded."])
def test_number_words_about_respondents_are_caught(snippet):
    messages = found(snippet)
    assert len(messages) == 1 and "respondents" in messages[0]


# --- a State's own example is prose -------------------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [
        "In **Switzerland**, the nexus has been included since 1997 in 21 voluntary return programs.",
        "In 1989, Morocco established the Al Amal Bank.",
        "In December 2007, a Council of the Moroccan community abroad was established.",
        "one of which is called “Three per One”(3x1).",
        "to create a 3x1 structure.",
        "has been in place for the last 15 years.",
        "During the past two years, five agreements have been signed with Senegal, Gabon and Benin.",
        "the **Colombian** National Development Plan for 2002-2006",
        "1,000 new migrants contribute around \\$10 million net over the first four years",
        "to leave Sweden for up to 12 months",
        "the right to 20hr/week employment",
        "Migration is identified as one of six global challenges.",
        "migration as one of ten priority themes.",
        "migration teams in three departments within Government",
        "Manila, Philippines, 29-30 October 2008",
        "Roundtable Session 3.2 in Brussels; sections 2.1.1 and 2.1.2",
        "consultations with one another; cooperation with one or several other countries",
        "the Five-Year Development Plan in 1978",
        "policy and twelve other internal and external EU policies",
        "every 1-3 months",
        "most States monthly; Several States; a number of State; A vast majority of the respondents",
    ],
)
def test_example_facts_are_not_flagged(snippet):
    assert found(snippet) == []


# --- Jinja is not prose -------------------------------------------------------------------------


def test_jinja_expressions_statements_and_comments_are_ignored():
    text = (
        "**{{ survey.n | words | cap }}** responses\n"
        "{{ survey.q.national_plan | quantity('approximately half') | cap }} "
        "(**{{ survey.q.national_plan.yes }}** out of **{{ survey.q.national_plan.answered }}**)\n"
        "{% if survey.q.io_role.pct > 84 %}{# 84% of 53 States #}{% endif %}\n"
        "{{ survey.sets.budget_line_or_intended | length }} States responded\n"
    )
    assert find_typed_figures(text, "x.md.j2") == []


def test_strip_jinja_keeps_line_numbers():
    text = "{#\n a comment over\n three lines \n#}\n{{ x }} and 84%\n"
    stripped = strip_jinja(text)
    assert stripped.count("\n") == text.count("\n")
    assert [(f.file, f.line) for f in find_typed_figures(text, "x.md.j2")] == [("x.md.j2", 5)]


def test_finding_names_file_and_line():
    text = "Line one.\n\nIn 2007, only 9 States out of 45 responded.\n"
    (finding,) = find_typed_figures(text, "sections/04a.md.j2")
    assert (finding.file, finding.line) == ("sections/04a.md.j2", 3)
    assert str(finding).startswith("sections/04a.md.j2:3: ")


def test_the_2008_print_has_exactly_its_survey_figures_flagged():
    text = (Path(__file__).parent / "data" / "paper_2008.md").read_text(encoding="utf-8")
    findings = find_typed_figures(text, "paper_2008.md")
    # 11 percentages, 3 "k out of n", 3 counts of States (10, 15, six), "Fifty-three", "seven of the States"
    assert len(findings) == 19, "\n".join(map(str, findings))


# --- the shipped templates ----------------------------------------------------------------------


def test_every_shipped_template_has_no_typed_figure():
    templates = sorted(TEMPLATES.glob("**/*.j2"))
    assert templates, "no templates found"
    findings = lint_templates(TEMPLATES)
    assert findings == [], "\n".join(map(str, findings))


def test_the_shipped_template_check_fails_when_a_figure_is_typed(tmp_path):
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy)
    intro = copy / "sections" / "01_introduction.md.j2"
    text = intro.read_text(encoding="utf-8")
    assert "{{ survey.n | words | cap }}" in text
    intro.write_text(text.replace("{{ survey.n | words | cap }}", "Fifty-three"), encoding="utf-8")
    findings = lint_templates(copy)
    assert [(f.file, "Fifty-three" in f.message) for f in findings] == [
        ("templates/sections/01_introduction.md.j2", True)
    ]


def test_main_exit_status(tmp_path, capsys):
    (tmp_path / "ok.md.j2").write_text("{{ survey.n | words | cap }} responses\n", encoding="utf-8")
    assert main([str(tmp_path)]) == 0
    (tmp_path / "bad.md.j2").write_text("Fifty-three responses\n", encoding="utf-8")
    assert main([str(tmp_path)]) == 1
    assert "bad.md.j2:1:" in capsys.readouterr().out
