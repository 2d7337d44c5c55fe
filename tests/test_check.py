"""`paper check`: typed figures, quantity words against their figure, counts against their list, |safe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import copy_project, copy_repo, run_snakemake
from surveypaper.checks import (
    RenderedLine,
    count_findings,
    quantity_findings,
)
from surveypaper.cli import main
from surveypaper.filters import QUANTITY_WORDS
from surveypaper.numerals import parse_number
from surveypaper.project import project_context, project_paths

ROOT = Path(__file__).resolve().parents[1]
SECTION = "templates/sections/04a_political_commitment.md.j2"
FIRST_LINE = "Political commitment is almost always a precondition for policy action."


@pytest.fixture(scope="module")
def context(shipped_project):
    return project_context(project_paths(shipped_project))


@pytest.fixture
def repo(tmp_path) -> Path:
    """What `paper check` reads: raw/, templates/ and workflow/config.yaml, in a tmp folder."""
    return copy_project(tmp_path / "repo")


def add_line(repo: Path, text: str, template: str = SECTION) -> int:
    """Put `text` in place of the section's first sentence; return its line."""
    path = repo / template
    src = path.read_text(encoding="utf-8")
    assert FIRST_LINE in src
    path.write_text(src.replace(FIRST_LINE, text, 1), encoding="utf-8")
    return src[: src.index(FIRST_LINE)].count("\n") + 1


def check(repo: Path, capsys) -> tuple[int, list[str]]:
    code = main(["check", "--root", str(repo)])
    return code, capsys.readouterr().out.splitlines()


def at(lines: list[str], line: int, *words: str) -> list[str]:
    return [x for x in lines if x.startswith(f"{SECTION}:{line}: ") and all(w in x for w in words)]


# --- the shipped templates (the real ones, in the repository) ---------------------------------------


def test_shipped_templates_pass(shipped_project, capsys):
    """The repository's own templates/ and raw/ (a copy, no build): the paper as shipped must be clean."""
    code, lines = check(shipped_project, capsys)
    assert lines == [] and code == 0


# --- typed figures -------------------------------------------------------------------------------


def test_typed_fifty_three_states_fails(repo, capsys):
    line = add_line(repo, "Fifty-three States responded to the questionnaire.")
    code, lines = check(repo, capsys)
    assert code == 1
    assert at(lines, line, "Fifty-three States")


def test_typed_percentage_fails(repo, capsys):
    line = add_line(repo, "Some 49% of the States have a plan.")
    code, lines = check(repo, capsys)
    assert code == 1 and at(lines, line, "49%")


# --- quantity words ------------------------------------------------------------------------------


def test_false_vast_majority_beside_a_computed_figure_fails(repo, capsys, context):
    q = context["survey"].q.national_plan
    lo, hi = QUANTITY_WORDS["a vast majority"]
    assert not lo <= q.pct <= hi, "the data changed: pick a question whose share is not a vast majority"
    line = add_line(
        repo, "A vast majority of the respondents (**{{ survey.q.national_plan.pct | pct }}**) have a plan."
    )
    code, lines = check(repo, capsys)
    assert code == 1
    assert at(lines, line, "vast majority", f"{q.pct}%")


def test_false_vast_majority_beside_a_typed_figure_fails(repo, capsys):
    line = add_line(repo, "A vast majority (45%) of the States agreed.")
    code, lines = check(repo, capsys)
    assert code == 1
    assert at(lines, line, "vast majority", "45%", "85-99%")


def test_false_most_beside_k_out_of_n_fails(repo, capsys, context):
    q = context["survey"].q.national_plan
    line = add_line(
        repo,
        "Most States (**{{ survey.q.national_plan.yes }}** out of **{{ survey.q.national_plan.answered }}**) agree.",
    )
    code, lines = check(repo, capsys)
    assert code == 1 and at(lines, line, '"Most"', f"{q.yes} out of {q.answered}")


def test_quantity_word_that_fits_passes(repo, capsys):
    line = add_line(
        repo,
        '{{ survey.q.national_plan | quantity("a vast majority") | cap }} of the States '
        "(**{{ survey.q.national_plan.pct | pct }}**) have a plan.",
    )
    code, lines = check(repo, capsys)
    assert not at(lines, line) and code == 0


@pytest.mark.parametrize(
    "text, bad",
    [
        ("a vast majority (45%)", True),
        ("a vast majority of the States (90%)", False),
        ("approximately half (26 out of 53)", False),
        ("just over half (forty-nine percent)", True),
        ("most States (85%)", False),
        ("all States (100%)", False),
        ("the most important (45%) share", False),  # "the most" is not a quantity word
        ("a majority, while in 2007 only 9 States out of 21", False),  # another number stands between
    ],
)
def test_quantity_word_rule(text, bad):
    found = quantity_findings([RenderedLine("t.md.j2", 1, text)])
    assert bool(found) is bad


# --- counts and lists ----------------------------------------------------------------------------


def test_count_that_differs_from_its_list_fails(repo, capsys):
    line = add_line(repo, "15 States ({{ survey.q.national_plan.states_yes[:3] | states }}) have a plan.")
    code, lines = check(repo, capsys)
    assert code == 1 and at(lines, line, "15 States", "3 listed")


def test_computed_count_that_differs_from_its_list_fails(repo, capsys):
    line = add_line(
        repo, "{{ survey.q.national_plan.yes + 1 }} States ({{ survey.q.national_plan.states_yes | states }}) agree."
    )
    code, lines = check(repo, capsys)
    assert code == 1 and at(lines, line, "listed")


def test_count_from_the_same_list_passes(repo, capsys):
    line = add_line(
        repo,
        "{{ survey.q.national_plan.states_yes | length | words | cap }} States "
        "({{ survey.q.national_plan.states_yes | states }}) agree.",
    )
    code, lines = check(repo, capsys)
    assert not at(lines, line) and code == 0


def test_count_above_one_hundred_in_words():
    """'One hundred and three States:' is 103, not three (a paper with all 193 UN Member States)."""
    names = [f"State {chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(103)]
    lines = [
        RenderedLine("a.md.j2", 1, "The following one hundred and three States responded:"),
        RenderedLine("a.md.j2", 2, ""),
    ]
    lines += [RenderedLine("a.md.j2", 3 + i, f"- {name}") for i, name in enumerate(names)]
    assert count_findings(lines, names) == []
    assert count_findings(lines[:-1], names)  # one fewer listed: a finding


def test_count_against_a_bulleted_list():
    lines = [RenderedLine("a.md.j2", 1, "The following three States responded:"), RenderedLine("a.md.j2", 2, "")]
    lines += [RenderedLine("a.md.j2", 3, f"- {name}") for name in ("Argentina", "Brazil")]
    found = count_findings(lines, ["Argentina", "Brazil"])
    assert len(found) == 1 and "2 listed" in found[0].message


def test_names_with_and_count_as_one_state():
    lines = [RenderedLine("a.md.j2", 1, "2 States (Trinidad and Tobago and Brazil) agree.")]
    assert count_findings(lines, ["Trinidad and Tobago", "Brazil"]) == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("53", 53),
        ("fifty-three", 53),
        ("Fifty three", 53),
        ("fifteen", 15),
        ("a hundred", 100),
        ("one hundred and ninety-three", 193),
        ("One hundred ninety three", 193),
        ("two hundred", 200),
        ("banana", None),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


# --- respondents' text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [
        "{% for c in survey.comments %}{{ c | safe }}{% endfor %}",
        "{% set said = survey.comments.ARG %}{{ said | cap | safe }}",
        "{{ comments['ARG'] | safe }}",
    ],
)
def test_safe_on_respondents_text_fails(repo, capsys, snippet):
    line = add_line(repo, snippet)
    code, lines = check(repo, capsys)
    assert code == 1 and at(lines, line, "| safe", "respondents")


def test_safe_elsewhere_is_not_about_respondents(repo, capsys):
    line = add_line(repo, "{{ survey.q.national_plan.states_yes | states | safe }} have a plan.")
    _code, lines = check(repo, capsys)
    assert not at(lines, line)


# --- template errors and the build ---------------------------------------------------------------


def test_template_error_is_a_finding(repo, capsys):
    line = add_line(repo, "{{ survey.q.national_plnn.yes }} States agree.")
    code, lines = check(repo, capsys)
    assert code == 1 and at(lines, line, "national_plnn", "Did you mean `national_plan`")


def test_output_is_file_line_message(repo, capsys):
    add_line(repo, "Fifty-three States responded. A vast majority (45%) agreed.")
    code, lines = check(repo, capsys)
    assert code == 1 and lines
    assert all(re.match(r"templates/[\w/.-]+\.j2:\d+: \S", x) for x in lines)


@pytest.mark.slow  # a build
def test_check_rule_stops_the_build(tmp_path):
    """workflow/rules/check.smk: the build's check_templates rule fails on a false quantity word."""
    repo = copy_repo(tmp_path / "repo")
    snakefile = repo / "Snakefile"
    if "rules/check.smk" not in snakefile.read_text(encoding="utf-8"):
        snakefile.write_text(
            snakefile.read_text(encoding="utf-8") + '\ninclude: "workflow/rules/check.smk"\n', encoding="utf-8"
        )
    stamp = "output/.build/templates_checked.stamp"
    assert run_snakemake(repo, stamp).returncode == 0
    line = add_line(repo, "A vast majority (**{{ survey.q.national_plan.pct | pct }}**) of the States agree.")
    result = run_snakemake(repo, stamp)
    assert result.returncode != 0
    assert f'{SECTION}:{line}: "A vast majority" does not fit' in result.stderr
    assert "Traceback (most recent call last)" not in result.stderr
