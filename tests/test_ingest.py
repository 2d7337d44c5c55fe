"""Validation: every kind of bad input is reported with file, place, value and what was expected."""

import pytest
from conftest import write
from surveypaper.errors import ValidationFailed
from surveypaper.project import ingest


def problems_of(raw):
    with pytest.raises(ValidationFailed) as info:
        ingest(raw)
    return info.value.problems


def test_valid_round_reads_yes_no_as_written(tiny_raw):
    data = ingest(tiny_raw)
    by_state = {r["state"]: r for r in data["rounds"]["2008"]}
    assert by_state["NLD"]["answers"] == {"plan": "no", "plan_intended": "yes"}  # NO is the answer no
    assert by_state["ARG"]["comments"]["examples"] == "We <b>do</b> things & more"
    assert [r["state"] for r in data["rounds"]["2007"]] == ["ARG", "NLD", "PHL"]
    assert by_state["ARG"]["source"] == "raw/responses/2008/ARG.yaml"


@pytest.mark.parametrize(
    "name, text, where, value, expected, suggestion",
    [
        ("ARG.yaml", "state: ARGG\nanswers: {plan: yes}\n", "state", "ARGG", "alpha-3", "ARG"),
        ("ARG.yaml", "state: AR\nanswers: {plan: yes}\n", "state", "AR", "alpha-3", "ARG"),
        ("ARG.yaml", "state: ARG\nanswers: {plann: yes}\n", "answers.plann", "yes", "question key", "plan"),
        ("ARG.yaml", "state: ARG\nanswers: {plan: Maybe}\n", "answers.plan", "Maybe", "one of: yes, no", ""),
        ("ARG.yaml", "state: ARG\nanswers: {plan: ' yes'}\n", "answers.plan", " yes", "one of: yes, no", "yes"),
        ("ARG.yaml", "state: ARG\nanswers: {plan: Oui}\n", "answers.plan", "Oui", "one of: yes, no", ""),
        ("ARG.yaml", "state: ARG\nanswers: {plan: 1}\n", "answers.plan", "1", "one of: yes, no", ""),
        (
            "ARG.yaml",
            "state: ARG\nanswers: {plan: yes, plan_intended: no}\n",
            "answers.plan_intended",
            "no",
            "asked only where plan is no",
            "",
        ),
        ("ARG.yaml", "state: ARG\nanswers: {freq: sometimes}\n", "answers.freq", "sometimes", "daily, monthly", ""),
        ("ARG.yaml", "state: ARG\nthemes: [diasporra]\n", "themes", "diasporra", "theme code", "diaspora"),
        ("ARG.yaml", "state: ARG\nanswer: {plan: yes}\n", "answer", "", "one of state, answers", "answers"),
        ("ARG.yaml", "state: ARG\nanswers:\n  plan: yes\n  plan: no\n", "line 4", "", "duplicate key", ""),
        ("ARG.yaml", "", "file", "", "non-empty", ""),
        ("ARG.yaml", "state: [unclosed\n", "line", "", "valid YAML", ""),
        ("NOR.yaml", "state: ARG\n", "state", "ARG", "file name", ""),
        ("ARG.yaml", "state: NO\n", "state", "NO", "alpha-3", "NOR"),  # YAML 1.1 would read Norway as false
        ("ARG.yaml", "state: ARG\nanswers: {plan: 012}\n", "answers.plan", "012", "one of: yes, no", ""),
        ("ARG.yaml", "state: ARG\nanswers: {plan: 1.10}\n", "answers.plan", "1.10", "one of: yes, no", ""),
        ("ARG.yaml", "state: ARG\nanswers: {plan: true}\n", "answers.plan", "true", "one of: yes, no", ""),
    ],
)
def test_bad_yaml_response(tiny_raw, name, text, where, value, expected, suggestion):
    (tiny_raw / "responses/2008" / name).write_text(text, encoding="utf-8")
    probs = problems_of(tiny_raw)
    hit = [p for p in probs if p.file.endswith(name) and where in p.where and expected in p.expected]
    assert hit, probs
    assert (hit[0].value, hit[0].suggestion) == (value, suggestion)


def test_state_twice_in_two_files(tiny_raw):
    write(tiny_raw / "responses/2008/NOR_copy.yaml", "state: NOR\nanswers: {plan: yes}\n")
    probs = problems_of(tiny_raw)
    assert any(p.value == "NOR" and "one response per State" in p.expected for p in probs), probs


def test_state_twice_across_forms(tiny_raw):
    write(tiny_raw / "responses/2008/extra.csv", "state,plan\nNOR,yes\n")
    probs = problems_of(tiny_raw)
    assert any(p.value == "NOR" and "one response per State" in p.expected and "NOR.yaml" in p.expected for p in probs)


def test_all_problems_at_once(tiny_raw):
    write(tiny_raw / "responses/2008/PHL.yaml", "state: PHL\nanswers: {plan: Maybe, freq: weekly}\n")
    write(tiny_raw / "responses/2007/responses.csv", "state,plan\nARG,perhaps\nXYZ,no\n")
    probs = problems_of(tiny_raw)
    assert len(probs) == 4
    report = str(ValidationFailed(probs))
    assert report.startswith("4 problems") and "raw/responses/2007/responses.csv | row 3" in report.replace("  ", "")


@pytest.mark.parametrize(
    "content, where, expected",
    [
        ("state,plan\nARG,yes,extra\n", "row 2", "2 cells"),
        ("state,plan,plan\nARG,yes,no\n", "header", "each column once"),
        ("nation,plan\nARG,yes\n", "header", "a State column"),
        ("state,plan\n", "file", "at least one response row"),
        ("state,focal\nARG,yes\n", "column B", "number, wording or key"),
    ],
)
def test_bad_csv(tiny_raw, content, where, expected):
    write(tiny_raw / "responses/2007/responses.csv", content)
    probs = problems_of(tiny_raw)
    assert any(where in p.where and expected in p.expected for p in probs), probs


def test_csv_bom_crlf_and_blank_rows_accepted(tiny_raw):
    (tiny_raw / "responses/2007/responses.csv").write_bytes(b"\xef\xbb\xbfstate,plan\r\nARG,yes\r\n,\r\n\r\nNLD,No\r\n")
    data = ingest(tiny_raw)
    assert [(r["state"], r["answers"]["plan"]) for r in data["rounds"]["2007"]] == [("ARG", "yes"), ("NLD", "no")]


def test_cp1252_csv_is_named(tiny_raw):
    (tiny_raw / "responses/2007/responses.csv").write_bytes("state,plan,plan_comment\nARG,yes,Côte\n".encode("cp1252"))
    probs = problems_of(tiny_raw)
    assert any("UTF-8" in p.expected and "Windows-1252" in p.expected and p.where == "row 2" for p in probs), probs
    assert any("save it as UTF-8" in p.expected for p in probs)


def test_utf16_csv_is_named(tiny_raw):
    (tiny_raw / "responses/2007/responses.csv").write_text("state,plan\nARG,yes\n", encoding="utf-16")
    probs = problems_of(tiny_raw)
    assert any("UTF-16" in p.expected and "save it as UTF-8" in p.expected for p in probs), probs
    assert not any("Windows-1252" in p.expected for p in probs)


@pytest.mark.parametrize("value", ["N/A", "n/a", "none", "-"])
def test_no_answer_spelt_out_is_told_to_leave_the_key_out(tiny_raw, value):
    write(tiny_raw / "responses/2008/ARG.yaml", f"state: ARG\nanswers: {{plan: yes, freq: '{value}'}}\n")
    probs = problems_of(tiny_raw)
    assert any(p.where == "answers.freq" and "leave the key out" in p.expected and not p.suggestion for p in probs)


def test_an_unknown_column_is_reported_once(tiny_raw):
    write(tiny_raw / "responses/2007/responses.csv", "state,plan,plann\nARG,yes,x\nNLD,no,y\nPHL,yes,z\n")
    probs = problems_of(tiny_raw)
    assert len([p for p in probs if p.value == "plann" or "plann" in p.where]) == 1, probs  # once, for the header


def test_themes_separated_by_commas_are_told_to_use_semicolons(tiny_raw):
    write(tiny_raw / "themes.yaml", "diaspora: ties\nremittances: money sent home\n")
    write(tiny_raw / "responses/2007/responses.csv", 'state,plan,themes\nARG,yes,"remittances, diaspora"\n')
    probs = problems_of(tiny_raw)
    assert any("separated by ';'" in p.expected and "remittances; diaspora" in p.expected for p in probs), probs


def test_a_state_suggestion_names_both_countries(tiny_raw):
    write(tiny_raw / "responses/2008/GER.yaml", "state: GER\nanswers: {plan: yes}\n")
    probs = problems_of(tiny_raw)
    (p,) = [p for p in probs if p.value == "GER" and p.where == "state"]
    if p.suggestion:  # the suggested code is another real country: it is named too
        assert f"{p.suggestion} is " in p.expected


@pytest.mark.parametrize(
    "path, content, where",
    [
        ("responses/2008/PHL.yaml", "state: PHL\nanswers: {}\n", "answers"),
        ("responses/2008/PHL.yaml", "state: PHL\nanswers:\n", "answers"),
    ],
)
def test_a_response_without_answers_is_an_error(tiny_raw, path, content, where):
    write(tiny_raw / path, content)
    probs = problems_of(tiny_raw)
    assert any(p.where == where and "at least one answer" in p.expected for p in probs), probs


def test_stray_files(tiny_raw):
    (tiny_raw / "responses/2008/.DS_Store").write_bytes(b"\0\1")
    (tiny_raw / "responses/2008/~$book.xlsx").write_bytes(b"lock")
    assert ingest(tiny_raw)  # litter is ignored
    (tiny_raw / "responses/2008/notes.txt").write_text("hello")
    probs = problems_of(tiny_raw)
    assert any(p.file.endswith("notes.txt") and ".yaml" in p.expected for p in probs)


def test_question_not_asked_in_round(tiny_raw):
    write(
        tiny_raw / "questionnaire.yaml",
        (tiny_raw / "questionnaire.yaml").read_text().replace("type: choice,", 'type: choice, asked_in: ["2008"],'),
    )
    write(tiny_raw / "responses/2007/responses.csv", "state,freq\nARG,daily\n")
    probs = problems_of(tiny_raw)
    assert any("not asked in 2007" in p.expected for p in probs)


@pytest.mark.parametrize("text, expected", [("a\x00b", "U+0000"), ("a\u200bb", "U+200B"), ("x" * 20001, "at most")])
def test_bad_free_text(tiny_raw, text, expected):
    import json

    write(tiny_raw / "responses/2008/PHL.yaml", f"state: PHL\ncomments:\n  examples: {json.dumps(text)}\n")
    probs = problems_of(tiny_raw)
    assert any(expected in p.value or expected in p.expected for p in probs), probs


def test_rtl_and_cjk_text_kept(tiny_raw):
    write(tiny_raw / "responses/2008/PHL.yaml", 'state: PHL\ncomments:\n  examples: "مرحبا 移民与发展"\n')
    data = ingest(tiny_raw)
    phl = next(r for r in data["rounds"]["2008"] if r["state"] == "PHL")
    assert phl["comments"]["examples"] == "مرحبا 移民与发展"
