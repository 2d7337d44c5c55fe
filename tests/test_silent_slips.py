"""No silent wrong paper: what a template prints is never empty markup, a Python repr or a unit on the wrong value.

Each slip an editor or a reviewer can make without a Python error -- a list of States that came
out empty, a question printed whole, `| pct` on a count, a footnote defined twice, called but not
defined, or defined but never called -- stops `paper check` and the build with the template's
`file:line`, the expression and what to write instead; the last good paper stays in output/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import copy_built_repo, run_snakemake, snapshot
from surveypaper.cli import main

ROOT = Path(__file__).resolve().parents[1]
POLITICAL = "templates/sections/04a_political_commitment.md.j2"
CAPACITY = "templates/sections/05_institutional_capacity.md.j2"
RESOURCES = "templates/sections/06_resources.md.j2"
LAST = "templates/sections/08_recommendations.md.j2"  # the last section: a second note there comes second
FIRST_LINE = "Political commitment is almost always a precondition for policy action."


@pytest.fixture
def repo(tmp_path) -> Path:
    """What `paper check` reads: raw/, templates/ and workflow/config.yaml, in a tmp folder."""
    root = tmp_path / "repo"
    for part in ("raw", "templates"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("fonts"))
    (root / "workflow").mkdir()
    shutil.copy(ROOT / "workflow/config.yaml", root / "workflow/config.yaml")
    return root


def check(repo: Path, capsys) -> tuple[int, list[str]]:
    code = main(["check", "--root", str(repo)])
    return code, capsys.readouterr().out.splitlines()


def replace(repo: Path, template: str, old: str, new: str) -> int:
    """Replace the first `old` in a template; the (1-based) line it was on."""
    path = repo / template
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {template}: the test needs updating"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def line_of(repo: Path, template: str, needle: str) -> int:
    text = (repo / template).read_text(encoding="utf-8")
    assert needle in text
    return text[: text.index(needle)].count("\n") + 1


def drop_theme(repo: Path, theme: str) -> list[str]:
    """Take a theme away from every State that carries it; the States it was taken from."""
    taken = []
    for path in sorted((repo / "raw/responses").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        new = re.sub(rf"(?m)^(themes:.*?)\b{theme}\b,?\s*", r"\1", text).replace(", ]", "]")
        if new != text:
            taken.append(path.stem)
            path.write_text(new, encoding="utf-8")
    return taken


# --- A: an empty list of States ------------------------------------------------------------------


@pytest.mark.parametrize(
    "theme, template, expr",
    [
        ("obstacle_capacity", CAPACITY, "survey.themes.obstacle_capacity | states"),  # the "(****)" of the issue
        ("voluntary_return_funds", RESOURCES, "survey.themes.voluntary_return_funds | states(oxford=True) | cap"),
    ],
)
def test_an_empty_list_of_states_stops_the_check(repo, capsys, theme, template, expr):
    assert drop_theme(repo, theme)
    line = line_of(repo, template, "{{ " + expr + " }}")
    code, lines = check(repo, capsys)
    assert code == 1
    subject = expr.split(" | ")[0]
    wanted = [x for x in lines if x.startswith(f"{template}:{line}: `{{{{ {expr} }}}}` prints nothing")]
    assert wanted, lines
    assert f"{{% if {subject} %}}" in wanted[0] and 'states(none="no State")' in wanted[0]


def test_states_with_none_prints_what_it_is_told(repo, capsys):
    drop_theme(repo, "obstacle_capacity")
    replace(
        repo,
        CAPACITY,
        "{{ survey.themes.obstacle_capacity | states }}",
        '{{ survey.themes.obstacle_capacity | states(none="no State as yet") }}',
    )
    code, lines = check(repo, capsys)
    assert (code, lines) == (0, [])


def test_empty_markup_from_another_filter_is_caught(repo, capsys):
    """`**{{ <empty list> | join(", ") }}**` prints `****`: the rendered text is checked too."""
    line = replace(
        repo, POLITICAL, FIRST_LINE, "Some States (**{{ survey.q.national_plan.states_yes[:0] | join(', ') }}**) act."
    )
    code, lines = check(repo, capsys)
    assert code == 1
    assert any(x.startswith(f"{POLITICAL}:{line}: the paper would show `****`") and "join" in x for x in lines), lines


# --- D: a Python object printed raw, or a unit on the wrong kind of value ------------------------------


@pytest.mark.parametrize(
    "expr, says",
    [
        ("survey.q.national_plan", "prints the question `national_plan`, not a figure: write one of its attributes"),
        ("survey.q.focal_points_helpful", "prints the question `focal_points_helpful`, not a figure"),
        ("survey", "prints the round 2008, not a value"),
        ("survey.themes", "prints the themes of 2008, not a value: name one of them"),
        ("paper", "as Python text: name one of its keys"),
        ("survey.q.national_plan.pct > 40", "prints `True`, a yes/no value"),
        (
            "survey.n | pct",
            "`| pct` takes a percentage (`survey.q.<key>.pct`) or a question (`survey.q.<key>`), not a count (53)",
        ),
        ("previous.n | pct_words", "`| pct_words` takes a percentage"),
        ("survey.respondents | quantity", "not a list of 53 States"),
        ("survey.q.national_plan.pct | words", "write `| pct_words` for a percentage in words"),
        ("survey.n | k_of_n", "`| k_of_n` takes a question"),
        (
            "survey.q.national_plan.pct",
            "prints a percentage (49) without its unit: write `{{ survey.q.national_plan.pct | pct }}`",
        ),
        ('survey.q.focal_points.pcts["yes"]', "without its unit"),
        ("survey.q.national_plan.yes / survey.q.national_plan.answered * 100", "templates do no arithmetic"),
        (
            "survey.q.national_plan | length",
            "gives a filter or an operator the wrong kind of value (a question has no length)",
        ),
    ],
)
def test_an_object_or_a_wrong_unit_stops_the_check(repo, capsys, expr, says):
    line = replace(repo, POLITICAL, FIRST_LINE, f"We print {{{{ {expr} }}}} here.")
    code, lines = check(repo, capsys)
    assert code == 1
    wanted = [x for x in lines if x.startswith(f"{POLITICAL}:{line}: `{{{{ {expr} }}}}`") and says in x]
    assert wanted, lines


# --- B and C: footnotes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label, first", [("trend", POLITICAL), ("iom-brussels", "templates/sections/07_international_collaboration.md.j2")]
)
def test_a_footnote_defined_twice_stops_the_check(repo, capsys, label, first):
    first_line = line_of(repo, first, f"[^{label}]:")
    path = repo / LAST
    text = path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n[^{label}]: A second note under the same label.\n"
    path.write_text(text, encoding="utf-8")
    code, lines = check(repo, capsys)
    assert code == 1
    dup_line = text.count("\n")
    assert any(
        x.startswith(f"{LAST}:{dup_line}: footnote `[^{label}]` is defined twice (first at {first}:{first_line})")
        for x in lines
    ), lines


@pytest.mark.parametrize("label", ["nowhere", "focal-point"])
def test_a_footnote_called_but_never_defined_stops_the_check(repo, capsys, label):
    line = replace(repo, POLITICAL, FIRST_LINE, f"Political commitment is a precondition.[^{label}]")
    code, lines = check(repo, capsys)
    assert code == 1
    wanted = [
        x for x in lines if x.startswith(f"{POLITICAL}:{line}: footnote `[^{label}]` is called but never defined")
    ]
    assert wanted, lines
    if label == "focal-point":
        assert "Did you mean `[^focal-points]`?" in wanted[0]


def test_a_footnote_never_called_stops_the_check(repo, capsys):
    replace(repo, POLITICAL, "development**.[^national-plans]", "development**.")
    line = line_of(repo, POLITICAL, "[^national-plans]:")
    code, lines = check(repo, capsys)
    assert code == 1
    assert any(
        x.startswith(f"{POLITICAL}:{line}: footnote `[^national-plans]` is defined but never called") for x in lines
    )


def test_a_footnote_called_twice_is_fine(repo, capsys):
    replace(repo, POLITICAL, FIRST_LINE, "Political commitment is almost always a precondition.[^trend]")
    assert check(repo, capsys) == (0, [])


# --- the build stops on each, and keeps the last good paper ----------------------------------------


@pytest.fixture(scope="module")
def good_repo(tmp_path_factory, built_paper) -> Path:
    return copy_built_repo(tmp_path_factory.mktemp("slips") / "repo", built_paper)


@pytest.mark.parametrize(
    "slip, says",
    [
        ("empty list", "`{{ survey.themes.obstacle_capacity | states }}` prints nothing"),
        ("footnote twice", "footnote `[^trend]` is defined twice"),
    ],
)
def test_the_build_stops_and_keeps_the_last_good_paper(good_repo, slip, says):
    before = snapshot(good_repo / "output")
    saved = {p: p.read_bytes() for p in [*(good_repo / "raw/responses/2008").glob("*.yaml"), good_repo / CAPACITY]}
    try:
        if slip == "empty list":
            drop_theme(good_repo, "obstacle_capacity")
        else:
            path = good_repo / CAPACITY
            path.write_text(path.read_text(encoding="utf-8") + "\n[^trend]: Again.\n", encoding="utf-8")
        result = run_snakemake(good_repo)
        assert result.returncode != 0
        assert says in result.stderr, result.stderr[-3000:]
        assert snapshot(good_repo / "output") == before
        # the console: one line per step, the project's report once, and Snakemake's traces in its log
        err = result.stderr
        assert re.search(r"^\[1/\d+\] ingest_responses$", err, re.M), err
        assert err.count(says) == 1 and err.count("Nothing was published") == 1
        for noise in ("Traceback", "RuleException", "WorkflowError", "message: None", "input:", "Error in rule"):
            assert noise not in err, err
        log = re.search(r"Snakemake's own log, with its traces: (\S+)$", err, re.M)
        assert log, err
        assert "BuildStopped" in (good_repo / log.group(1)).read_text(encoding="utf-8")
    finally:
        for path, data in saved.items():
            path.write_bytes(data)


def test_two_steps_that_find_the_same_problem_report_it_once(capsys):
    from surveypaper import pipeline

    pipeline.start_build()
    try:
        pipeline._stop("templates/x.md.j2:3: a problem")
        pipeline._stop("templates/x.md.j2:3: a problem\ntemplates/x.md.j2:9: another", "\npaper check: 2 finding(s)")
    finally:
        pipeline._reported = None
    err = capsys.readouterr().err
    assert err.count("x.md.j2:3: a problem") == 1 and err.count("x.md.j2:9: another") == 1
    assert err.count(pipeline.NOTHING_PUBLISHED) == 1


# --- friction: a section no template includes, `paper vars` that finds nothing or comments ------------


@pytest.mark.parametrize("name", ["sections/09_new_section.md.j2", "annexes/annex_4_more.md.j2"])
def test_a_file_no_template_includes_is_reported(repo, capsys, name):
    (repo / "templates" / name).write_text("## A new part\n\nIt would vanish silently.\n", encoding="utf-8")
    code, lines = check(repo, capsys)
    assert code == 1
    assert any(x.startswith(f"templates/{name}:1: this file is not in the paper") and "{% include" in x for x in lines)


def test_vars_lists_the_comments_and_says_when_nothing_matches(repo, capsys):
    assert main(["vars", "comments", "--root", str(repo)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out and all(line.startswith(("survey.comments.", "previous.comments.")) for line in out)
    assert main(["vars", "no-such-name-at-all", "--root", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "nothing matches 'no-such-name-at-all'" in err
