"""The newer question types (multi_choice, scale, number, `other: true`): reading, validation, stats."""

import pytest
from conftest import TINY_STATES, TINY_THEMES, write
from surveypaper import questionnaire as qmod
from surveypaper.errors import ValidationFailed
from surveypaper.project import ingest
from surveypaper.questionnaire import AnswerError, QuestionnaireError
from surveypaper.stats import compute, scale_median

TYPES_QUESTIONNAIRE = """\
title: Types questionnaire
intro: For tests.
sections:
  - key: a
    title: Section A
    questions:
      - {key: plan, number: "1", type: yes_no, short: Has a plan, text: "Do you have a plan?"}
      - key: added_value
        number: "2"
        type: multi_choice
        other: true
        choices: [networking, knowledge, partnerships]
        short: Added value
        text: What has been the main added value?
      - key: agreement
        number: "3"
        type: scale
        choices: ["1", "2", "3", "4", "5"]
        labels: {1: Strongly disagree, 5: Strongly agree}
        short: Agreement
        text: How far do you agree?
      - {key: years, number: "4", type: number, min: 0, max: 50, short: Years as focal point, text: "How long?"}
      - {key: channel, number: "5", type: choice, other: true, choices: [email, phone], short: Channel, text: "Which channel?"}
"""


def _parse():
    from ruamel.yaml import YAML

    return qmod.parse(YAML(typ="safe").load(TYPES_QUESTIONNAIRE))


@pytest.fixture
def q():
    return _parse().questions


@pytest.fixture
def types_raw(tmp_path):
    """A raw/ folder with one question of each newer type and three responses (YAML and CSV)."""
    raw = tmp_path / "raw"
    write(raw / "questionnaire.yaml", TYPES_QUESTIONNAIRE)
    write(raw / "states.yaml", TINY_STATES)
    write(raw / "themes.yaml", TINY_THEMES)
    write(
        raw / "responses/2008/ARG.yaml",
        """\
        state: ARG
        answers:
          added_value: [knowledge, networking, other]
          agreement: 4
          years: 3
          channel: Other
        comments:
          added_value: "Peer <b>review</b> & more"
          channel: By fax
        """,
    )
    write(
        raw / "responses/2008/NLD.yaml",
        """\
        state: NLD
        answers:
          added_value: []
          agreement: "5"
          years: 12.5
        """,
    )
    write(
        raw / "responses/2008/more.csv",
        "state,added_value,added_value_comment,agreement,years,channel\n"
        "NOR,networking; partnerships,,2,7,email\n"
        "PHL,,,,,\n",
    )
    return raw


def problems_of(raw):
    with pytest.raises(ValidationFailed) as info:
        ingest(raw)
    return info.value.problems


# --- one raw answer: Question.parse_answer ------------------------------------------------------


def test_multi_choice_reads_yaml_lists_and_table_cells_alike(q):
    mc = q["added_value"]
    assert mc.parse_answer(["knowledge", "Networking"]) == ["networking", "knowledge"]  # questionnaire order
    assert mc.parse_answer("knowledge; networking") == ["networking", "knowledge"]
    assert mc.parse_answer("knowledge;knowledge") == ["knowledge"]  # a State counts once per choice
    assert mc.parse_answer([]) == []  # none of these
    assert mc.parse_answer("[]") == []
    assert mc.parse_answer("") is None  # no answer
    assert mc.parse_answer(None) is None
    assert mc.parse_answer("other") == ["other"]


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("added_value", ["networking", "lobbying"], "one of: networking, knowledge, partnerships, other"),
        ("added_value", "networking;;knowledge", "without empty items"),
        ("channel", ["email", "phone"], "one answer, not a list"),
        ("channel", "email; phone", "one answer, not a list"),
        ("plan", "other", "'other' is not allowed"),
        ("agreement", "6", "one of: 1, 2, 3, 4, 5"),
        ("years", "three", "a number from 0 to 50"),
        ("years", "51", "a number from 0 to 50"),
        ("years", "-1", "a number from 0 to 50"),
        ("years", "nan", "a number"),
        ("years", "1,5", "a number"),
        ("years", ["1", "2"], "a number from 0 to 50, not a list"),
    ],
)
def test_bad_single_answers(q, key, value, expected):
    with pytest.raises(AnswerError) as info:
        q[key].parse_answer(value)
    assert expected in info.value.expected


def test_numbers_keep_integers_integral(q):
    years = q["years"]
    assert years.parse_answer("12") == 12 and isinstance(years.parse_answer("12"), int)
    assert years.parse_answer("12.0") == 12 and isinstance(years.parse_answer("12.0"), int)
    assert years.parse_answer("2.5") == 2.5
    assert years.parse_answer(" 7 ") == 7


def test_scale_and_choice_with_other(q):
    assert q["agreement"].parse_answer("3") == "3"
    assert q["channel"].parse_answer("OTHER") == "other"
    assert q["agreement"].labels == (("1", "Strongly disagree"), ("5", "Strongly agree"))


@pytest.mark.parametrize(
    "question, message",
    [
        ("{key: x, type: multi_choice, text: X}", "needs choices"),
        ("{key: x, type: yes_no, other: true, text: X}", "other: true is for choice"),
        ("{key: x, type: choice, other: true, choices: [a, other], text: X}", "not also one of the choices"),
        ("{key: x, type: scale, choices: ['1', '2'], labels: {3: High}, text: X}", "not one of the choices"),
        ("{key: x, type: number, min: 5, max: 1, text: X}", "min is more than max"),
        ("{key: x, type: number, min: low, text: X}", "not a number"),
        ("{key: x, type: choice, choices: [a], min: 1, text: X}", "min is for number questions"),
        ("{key: x, type: choice, choices: ['a;b', c], text: X}", "separates choices in tables"),
        ("{key: x, type: rating, text: X}", "is not one of yes_no, choice, multi_choice, scale, number, text"),
    ],
)
def test_malformed_questions_are_refused(question, message):
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(f"sections:\n  - key: a\n    questions:\n      - {question}\n")
    with pytest.raises(QuestionnaireError, match=message):
        qmod.parse(data)


# --- validation of whole responses: one problem table ----------------------------------------------


def test_valid_responses_of_every_type(types_raw):
    data = ingest(types_raw)
    by_state = {r["state"]: r for r in data["rounds"]["2008"]}
    assert by_state["ARG"]["answers"] == {
        "added_value": ["networking", "knowledge", "other"],
        "agreement": "4",
        "channel": "other",
        "years": 3,
    }
    assert by_state["NLD"]["answers"] == {"added_value": [], "agreement": "5", "years": 12.5}
    assert by_state["NOR"]["answers"] == {
        "added_value": ["networking", "partnerships"],
        "agreement": "2",
        "channel": "email",
        "years": 7,
    }
    assert by_state["PHL"]["answers"] == {}


def test_every_kind_of_bad_answer_in_one_report(types_raw):
    write(
        types_raw / "responses/2008/ARG.yaml",
        """\
        state: ARG
        answers:
          plan: other
          added_value: [networking, lobbying]
          agreement: 7
          years: 70
          channel: [email, phone]
        """,
    )
    write(
        types_raw / "responses/2008/more.csv",
        "state,added_value,agreement,years,channel\nNOR,other,2,seven,other\n",
    )
    probs = {(p.file.rsplit("/", 1)[-1], p.where): p for p in problems_of(types_raw)}
    assert "'other' is not allowed" in probs[("ARG.yaml", "answers.plan")].expected
    assert probs[("ARG.yaml", "answers.added_value")].value == "networking; lobbying"
    assert probs[("ARG.yaml", "answers.agreement")].expected == "one of: 1, 2, 3, 4, 5"
    assert probs[("ARG.yaml", "answers.years")].expected == "a number from 0 to 50"
    assert "one answer, not a list" in probs[("ARG.yaml", "answers.channel")].expected
    assert probs[("more.csv", "row 2, column D (years)")].value == "seven"
    # `other` without its text, in a table: the comment column is where the text belongs
    assert "the text of the answer 'other'" in probs[("more.csv", "row 2, column added_value_comment")].expected
    assert "the text of the answer 'other'" in probs[("more.csv", "row 2, column channel_comment")].expected
    assert len(probs) == 8, sorted(probs)


# --- statistics --------------------------------------------------------------------------------


def test_stats_of_every_type(types_raw):
    stats = compute(_parse(), {"diaspora": "x"}, ingest(types_raw))["rounds"]["2008"]["questions"]
    mc = stats["added_value"]
    assert mc["answered"] == 3  # ARG, NLD (none of these), NOR; PHL left it blank
    assert mc["blank"] == 1 and mc["states"]["blank"] == ["PHL"]
    assert mc["counts"] == {"networking": 2, "knowledge": 1, "partnerships": 1, "other": 1}
    assert mc["pct"] == {"networking": 67, "knowledge": 33, "partnerships": 33, "other": 33}  # adds up past 100
    assert mc["states"]["networking"] == ["ARG", "NOR"]
    assert mc["other"] == {"ARG": "Peer <b>review</b> & more"}
    scale = stats["agreement"]
    assert scale["counts"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert scale["median"] == 4 and scale["answered"] == 3
    number = stats["years"]
    assert {k: number[k] for k in ("answered", "min", "median", "max")} == {
        "answered": 3,
        "min": 3,
        "median": 7,
        "max": 12.5,
    }
    assert number["values"] == {"ARG": 3, "NLD": 12.5, "NOR": 7}
    assert stats["channel"]["other"] == {"ARG": "By fax"}
    assert stats["channel"]["counts"] == {"email": 1, "phone": 0, "other": 1}
    assert "other" not in stats["plan"]  # only where the question allows it


def test_scale_median():
    points = ("1", "2", "3", "4", "5")
    assert scale_median(points, ["4", "5"]) == 4.5
    assert scale_median(points, ["2", "4", "4"]) == 4
    assert scale_median(points, []) is None
    named = ("disagree", "neutral", "agree")
    assert scale_median(named, ["disagree", "agree"]) == "disagree"  # a point of the scale: the lower middle
    assert scale_median(named, ["agree", "neutral", "agree"]) == "agree"


# --- end to end on the small questionnaire: charts, Annex I, template sentences --------------------

SENTENCES = """\
{% set av = survey.q.added_value %}
{{ av.top | cap }} was the added value most often chosen (by {{ av.top.count }} of {{ av.answered }} States).
Ranked: {{ av.ranked | join_and }}; {{ av.top | k_of_n }}; {{ av.top.pct | pct }}.
Other added values named: {{ av.others }} ({{ av.others.states | states }}).
{% for o in av.others %}
- {{ o.state.name | cap }}: {{ o.text }}
{% endfor %}
The median answer was {{ survey.q.agreement.median_words }} ({{ survey.q.agreement.median_label }}).
Focal points had served from {{ survey.q.years.min }} to {{ survey.q.years.max }} years, a median of {{ survey.q.years.median_words }} ({{ survey.q.years.max_states | states }} the longest).

"""


@pytest.fixture
def types_project(types_raw, tmp_path):
    """The small questionnaire's project: its stats, its charts drawn, its Markdown rendered."""
    import shutil

    from conftest import ROOT
    from surveypaper import project
    from surveypaper.charts import draw_charts

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates/annexes", templates / "annexes")
    write(templates / "paper.yaml", "title: Types\n")
    write(
        templates / "paper.md.j2",
        SENTENCES
        + '{% include "annexes/annex_1_questionnaire.md.j2" %}\n\n{% include "annexes/annex_3_charts.md.j2" %}\n',
    )
    stats = project.stats_from_responses(ingest(types_raw), types_raw / "questionnaire.yaml", types_raw / "themes.yaml")
    charts_dir = tmp_path / "charts"
    drawn = draw_charts(stats, _parse().as_dict(), charts_dir)
    manifest = project.chart_manifest(stats, types_raw / "questionnaire.yaml")
    markdown = project.markdown_from_stats(stats, types_raw, templates, manifest)
    return {"stats": stats, "charts": charts_dir, "drawn": drawn, "manifest": manifest, "markdown": markdown}


def test_template_sentences_need_no_arithmetic(types_project):
    md = types_project["markdown"]
    assert "Networking was the added value most often chosen (by 2 of 3 States)." in md
    assert "Ranked: networking, knowledge, partnerships and other; 2 out of 3; 67%." in md
    # respondents' text stays inert: escaped for Markdown, never raw HTML
    assert r"Other added values named: “Peer \<b\>review\</b\> \& more” (Argentina)." in md
    assert r"- Argentina: Peer \<b\>review\</b\> \& more" in md
    assert "The median answer was four ()." in md  # 4 is not a labelled end
    assert "from 3 to 12.5 years, a median of seven (the Netherlands the longest)." in md


def test_every_type_gets_a_chart_with_its_size_known_before_drawing(types_project):
    import re

    drawn, manifest = types_project["drawn"], types_project["manifest"]
    assert [c["key"] for c in drawn] == ["plan", "added_value", "agreement", "years", "channel"]
    assert drawn == manifest  # the manifest computed without matplotlib is the drawn one
    for chart in drawn:
        svg = (types_project["charts"] / f"{chart['key']}.svg").read_text(encoding="utf-8")
        size = re.search(r'<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg)
        assert [float(size.group(1)), float(size.group(2))] == chart["size_pt"], chart["key"]
    svg = {c["key"]: (types_project["charts"] / f"{c['key']}.svg").read_text(encoding="utf-8") for c in drawn}
    # multi-choice: sorted by count, with its note
    mc = svg["added_value"]
    assert mc.index("Networking") < mc.index("Knowledge") < mc.index("Partnerships") < mc.index("Other")
    assert "Each respondent could choose several answers." in mc
    assert "2 (67%)" in mc
    # scale: the points in order, the end labels, the median on its point (bold)
    scale = svg["agreement"]
    assert scale.index("1 (Strongly disagree)") < scale.index("5 (Strongly agree)")
    assert "Median: 4 (in bold)." in scale
    # number: a histogram of the values
    assert "Median: 7; lowest 3, highest 12.5." in svg["years"]
    alt = {c["key"]: c["alt"] for c in drawn}
    assert alt["added_value"].startswith("Of 3 States that answered in 2008 (several answers could be chosen): 2 (67%)")
    assert "median: 4" in alt["agreement"]
    assert "1 (33%) 2 to under 4" in alt["years"]


def test_annex_1_prints_each_type_as_a_respondent_saw_it(types_project):
    md = types_project["markdown"]
    annex = md[md.index("ANNEX I") :]
    assert (
        "*Please choose all that apply.*\n\n- networking\n- knowledge\n- partnerships\n- Other (please specify):"
        in annex
    )
    assert "*Answer: 1 (Strongly disagree) / 2 / 3 / 4 / 5 (Strongly agree).*" in annex
    assert "*Answer: a number from 0 to 50.*" in annex
    channel = annex[annex.index("Which channel?") :]
    assert "- email\n- phone\n- Other (please specify):" in channel
    plan = annex[annex.index("Do you have a plan?") : annex.index("What has been")]
    assert "Other" not in plan


def test_number_bins():
    from surveypaper.charts import number_bins

    assert [b[2] for b in number_bins([3, 5, 4])] == ["3", "4", "5"]
    assert [b[2] for b in number_bins([1, 30])] == [
        "0\u20134",
        "5\u20139",
        "10\u201314",
        "15\u201319",
        "20\u201324",
        "25\u201329",
        "30\u201334",
    ]
    assert [b[2] for b in number_bins([0.5, 2.5])][:2] == ["0 to under 1", "1 to under 2"]
    assert number_bins([]) == [(0, 1, "-")]


def test_paper_vars_shows_the_new_variables(types_project, types_raw):
    from surveypaper.commands.vars import all_lines

    lines = "\n".join(all_lines(types_raw.parent))
    assert "survey.q.added_value.ranked = networking (2), knowledge (1), partnerships (1), other (1)  #" in lines
    assert "survey.q.added_value.top = networking (2 of 3)  #" in lines
    assert "survey.q.added_value.others = [1 texts] ARG: Peer <b>review</b> & more  #" in lines
    assert "survey.q.agreement.median_words = four  #" in lines
    assert "survey.q.years = 3 answered, 3 to 12.5, median 7  #" in lines
    assert 'survey.q.years.values["NLD"] = 12.5  #' in lines
    assert "survey.q.years.max_states = [1 States] the Netherlands  #" in lines
    assert "survey.q.channel.others = [1 texts] ARG: By fax  #" in lines
    assert "survey.q.plan.ranked" not in lines  # yes/no questions keep their own attributes
    assert "filter | join_and  #" in lines


def test_a_workbook_row_reads_like_a_yaml_file(types_raw):
    from openpyxl import Workbook

    (types_raw / "responses/2008/more.csv").unlink()
    wb = Workbook()
    ws = wb.active
    ws.title = "responses"
    ws.append(["state", "added_value", "agreement", "years", "channel"])
    ws.append(["NOR", "partnerships;networking", 2, 7.0, "email"])  # numbers typed into cells
    ws.append(["PHL", "[]", None, 2.5, None])
    wb.save(types_raw / "responses/2008/more.xlsx")
    by_state = {r["state"]: r["answers"] for r in ingest(types_raw)["rounds"]["2008"]}
    assert by_state["NOR"] == {
        "added_value": ["networking", "partnerships"],
        "agreement": "2",
        "years": 7,
        "channel": "email",
    }
    assert by_state["PHL"] == {"added_value": [], "years": 2.5}


def test_a_follow_up_depends_on_a_single_answer(types_raw):
    """Conditions (asked_if, derived sets) name a yes/no, choice or scale answer: the statistics read them so."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(TYPES_QUESTIONNAIRE)
    follow_up = {"key": "partners", "type": "yes_no", "asked_if": {"added_value": "partnerships"}, "text": "Which?"}
    data["sections"][0]["questions"].append(follow_up)
    with pytest.raises(QuestionnaireError, match="no answer of a yes_no, choice or scale question"):
        qmod.parse(data)
    follow_up["asked_if"] = {"agreement": "5"}
    assert qmod.parse(data).questions["partners"].asked_if == {"agreement": "5"}


@pytest.mark.parametrize(
    "source",
    [
        "{{ survey.q.added_value.others | safe }}",
        "{% for o in survey.q.added_value.others %}{{ o.text | safe }}{% endfor %}",
    ],
)
def test_paper_check_refuses_safe_on_other_texts(source):
    from jinja2 import Environment
    from surveypaper.checks import safe_findings

    assert safe_findings(Environment(), source, "x.md.j2"), source
