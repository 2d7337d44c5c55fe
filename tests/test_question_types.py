"""The newer question types (multi_choice, scale, number, `other: true`): reading, validation, stats."""

import pytest
from conftest import TINY_STATES, TINY_THEMES, write
from surveypaper import questionnaire as qmod
from surveypaper.errors import ValidationFailed
from surveypaper.pipeline import ingest
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
    assert probs[("more.csv", "row 2, column years")].value == "seven"
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
