"""Editors' errors and `paper vars`: one clear line (file, line, name, "did you mean"), never a traceback."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import copy_repo, run_snakemake
from surveypaper.cli import main
from surveypaper.project import project_context, project_paths
from surveypaper.templating import TemplateProblem, markdown_from_context

ROOT = Path(__file__).resolve().parents[1]
SECTION = "sections/04a_political_commitment.md.j2"


@pytest.fixture(scope="module")
def context(shipped_project):
    """The build's context for the shipped data (computed from raw/: no build is read)."""
    return project_context(project_paths(shipped_project))


@pytest.fixture
def templates(tmp_path) -> Path:
    """A copy of templates/ to break."""
    return Path(shutil.copytree(ROOT / "templates", tmp_path / "templates"))


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in a template; return the (1-based) line it is on."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}: the test needs updating"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def problem(templates: Path, context) -> TemplateProblem:
    with pytest.raises(TemplateProblem) as info:
        markdown_from_context(templates, context)
    return info.value


# --- each kind of slip: one message with file, line, name, closest names ------------------------------


def test_misspelled_question_names_the_template_line_and_the_right_key(templates, context):
    line = replace_once(templates / SECTION, "survey.q.national_plan.yes }}", "survey.q.national_plnn.yes }}")
    p = problem(templates, context)
    message = str(p)
    assert message.startswith(f"templates/{SECTION}:{line}: ")
    assert (p.file, p.line, p.name) == (SECTION, line, "national_plnn")
    assert "`survey.q.national_plnn`" in message
    assert "did you mean `national_plan`" in message.lower()
    assert "Traceback" not in message and "\n" not in message


def test_misspelled_top_level_name(templates, context):
    line = replace_once(templates / SECTION, "{{ previous.year }}", "{{ previus.year }}")
    p = problem(templates, context)
    assert (p.file, p.line, p.name) == (SECTION, line, "previus")
    assert p.suggestions[0] == "previous"


def test_wrong_attribute_of_a_question(templates, context):
    line = replace_once(templates / SECTION, "survey.q.national_plan.answered", "survey.q.national_plan.answerd")
    p = problem(templates, context)
    assert (p.line, p.name) == (line, "answerd")
    assert p.suggestions[0] == "answered"
    assert "question `national_plan`" in str(p)


def test_misspelled_theme_suggests_the_themes(templates, context):
    path = templates / "sections/06_resources.md.j2"
    line = replace_once(path, "survey.themes.voluntary_return_funds", "survey.themes.voluntary_return_fund")
    p = problem(templates, context)
    assert (p.file, p.line) == ("sections/06_resources.md.j2", line)
    assert p.suggestions[0] == "voluntary_return_funds"
    assert "themes of" in str(p)


def test_unknown_filter_suggests_a_filter(templates, context):
    line = replace_once(templates / SECTION, "| pct_words", "| pct_word")
    p = problem(templates, context)
    assert (p.file, p.line, p.name) == (SECTION, line, "pct_word")
    assert "filter" in str(p) and p.suggestions[0] == "pct_words"


def test_syntax_error_gives_file_and_line(templates, context):
    line = replace_once(templates / SECTION, "{{ previous.year }}", "{{ previous.year }")
    p = problem(templates, context)
    assert (p.file, p.line) == (SECTION, line)
    assert "syntax error" in str(p)


def test_misspelt_end_tag_suggests_the_tag(templates, context):
    path = templates / "annexes/annex_2_respondents.md.j2"
    line = replace_once(path, "{% endfor %}", "{% endfro %}")
    p = problem(templates, context)
    assert (p.file, p.line, p.name) == ("annexes/annex_2_respondents.md.j2", line, "endfro")
    assert "endfor" in p.suggestions


def test_unknown_quantity_word(templates, context):
    line = replace_once(templates / SECTION, 'quantity("approximately half")', 'quantity("aproximately half")')
    p = problem(templates, context)
    assert p.line == line and p.suggestions == ("approximately half",)


@pytest.mark.slow  # a build
def test_render_step_prints_one_message_and_exits_1(tmp_path):
    """The Snakemake render step: the editor's message on stderr, no Python traceback, nothing published."""
    repo = copy_repo(tmp_path / "repo")
    line = replace_once(repo / "templates" / SECTION, "survey.q.national_plan.yes }}", "survey.q.national_plnn.yes }}")
    result = run_snakemake(repo, "output/.build/working_paper.md")
    assert result.returncode != 0
    assert f"templates/{SECTION}:{line}: `survey.q.national_plnn` is unknown" in result.stderr
    assert "Did you mean `national_plan`" in result.stderr
    assert "Traceback (most recent call last)" not in result.stderr
    assert not (repo / "output/working_paper.md").exists()


# --- paper vars ----------------------------------------------------------------------------------


def test_vars_lists_survey_n_with_its_value(capsys, context, shipped_project):
    assert main(["vars", "--root", str(shipped_project)]) == 0
    out = capsys.readouterr().out.splitlines()
    n_line = next(line for line in out if line.startswith("survey.n = "))
    assert re.fullmatch(rf"survey\.n = {context['survey'].n}  # .+", n_line)


def test_vars_covers_questions_themes_sets_changes_and_filters(capsys, context, shipped_project):
    assert main(["vars", "--root", str(shipped_project)]) == 0
    out = capsys.readouterr().out
    q = context["survey"].q.national_plan
    assert f"survey.q.national_plan.yes = {q.yes}  # " in out
    assert f"survey.q.national_plan.pct = {q.pct}  # " in out
    assert f"previous.q.national_plan.yes = {context['previous'].q.national_plan.yes}  # " in out
    assert "survey.themes.voluntary_return_funds = [" in out
    assert "survey.sets.budget_line_or_intended = [" in out
    assert "changes.migration_in_development.no_to_yes = [" in out
    assert f"survey.regions.all_represented = {context['survey'].regions.all_represented}  # " in out
    assert f'survey.regions["Europe"].n = {context["survey"].regions["Europe"].n}  # ' in out
    assert 'quantity word "a vast majority" = 85-99%' in out
    assert "filter | words  # A whole number in English words" in out
    assert "filter | length  # (Jinja)" in out
    assert all(" # " in line or line.startswith("filter |") for line in out.splitlines())


def test_vars_pattern_filters_lines(capsys, shipped_project):
    assert main(["vars", "--root", str(shipped_project), "national_plan_intended.yes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all("national_plan_intended.yes" in line for line in lines)
    assert main(["vars", "--root", str(shipped_project), "no-such-variable"]) == 1


# --- messages that used to mislead ----------------------------------------------------------------


def test_a_stray_end_tag_says_nothing_is_open(templates, context):
    line = replace_once(
        templates / SECTION, "Political commitment is almost always", "{% endfor %}Political commitment is"
    )
    p = problem(templates, context)
    assert (p.file, p.line) == (SECTION, line)
    assert "`{% endfor %}` has no `{% for %}` open to close" in str(p) and "Did you mean" not in str(p)


@pytest.mark.parametrize("opener, tag", [("{% if survey.n > 1 %}", "if"), ("{% for s in survey.respondents %}", "for")])
def test_an_unclosed_block_is_reported_where_it_opens(templates, context, opener, tag):
    line = replace_once(
        templates / SECTION, "Political commitment is almost always", opener + "Political commitment is"
    )
    p = problem(templates, context)
    assert (p.file, p.line) == (SECTION, line)  # not the file's last line
    assert f"`{{% {tag} %}}` is never closed: add `{{% end{tag} %}}`" in str(p)


def test_a_text_question_is_named_as_such(templates, context):
    replace_once(templates / SECTION, "survey.q.national_plan.yes }}", "survey.q.other_integration.yes }}")
    p = problem(templates, context)
    assert "`survey.q.other_integration` is a text question" in str(p) and "no such" not in str(p)
    assert "survey.comments.<ISO3>.other_integration" in str(p)


def test_a_filter_given_the_wrong_type_is_no_python_error(templates, context):
    replace_once(templates / SECTION, "{{ survey.q.national_plan.yes }}", "{{ survey.respondents | round }}")
    p = problem(templates, context)
    assert "`{{ survey.respondents | round }}`" in str(p) and "TypeError" not in str(p)
