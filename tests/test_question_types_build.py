"""Done when: a copy of the repository with one question of each newer type added to
raw/questionnaire.yaml, and answers from a few States, builds with no code change: stats.json holds
their figures, Annex III their charts, Annex I their wording; the 2008 paper is otherwise unchanged.

One build is shared by every test of this module (after a first run that must stop on bad answers).
"""

import json
import re

import pytest
from conftest import ROOT, copy_repo, run_snakemake, write

NEW_SECTION = """\
  - key: forum
    title: The Global Forum
    questions:
      - key: added_value
        number: "17"
        type: multi_choice
        other: true
        asked_in: ["2008"]
        choices: [networking, knowledge exchange, partnerships]
        short: Added value of the Forum
        text: >-
          What has been the main added value of the Forum for your Government? Please choose all
          answer choices that apply and/or add your own.
      - key: forum_useful
        number: "18"
        type: scale
        asked_in: ["2008"]
        choices: ["1", "2", "3", "4", "5"]
        labels: {1: Not at all useful, 5: Very useful}
        short: Usefulness of the Forum
        text: How useful has the Forum been for your Government's policy work?
      - key: focal_point_years
        number: "19"
        type: number
        asked_in: ["2008"]
        min: 0
        max: 40
        short: Years as focal point
        text: How long have you been the focal point (in years)?
"""

# State -> (answers, the comment on added_value)
ANSWERS = {
    "ARG": (
        "added_value: [networking, other]\n  forum_useful: 4\n  focal_point_years: 3\n",
        "Peer learning visits",
    ),
    "BEL": ("added_value: [partnerships, networking]\n  forum_useful: 5\n  focal_point_years: 12\n", ""),
    "MEX": ("added_value: [knowledge exchange, networking]\n  forum_useful: 2\n  focal_point_years: 1.5\n", ""),
    "PHL": ("added_value: []\n  forum_useful: 5\n", ""),
}

DOCS = (ROOT / "docs/editing.md").read_text(encoding="utf-8")
# The worked example of docs/editing.md, and what it says the example prints.
EXAMPLE = re.search(r"Worked example:.*?```\n(.*?)```", DOCS, re.S).group(1)
PRINTS = re.search(r"prints, with the answers of a few States:\n\n```\n(.*?)```", DOCS, re.S).group(1)
SECTION = "## The Forum's added value\n\n" + EXAMPLE


def add_answers(repo, answers):
    for code, (text, comment) in answers.items():
        path = repo / f"raw/responses/2008/{code}.yaml"
        s = path.read_text(encoding="utf-8").replace("answers:\n  ", "answers:\n  " + text + "  ", 1)
        if comment:
            s = s.replace("comments:\n", f"comments:\n  added_value: {json.dumps(comment)}\n", 1)
        path.write_text(s, encoding="utf-8")


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    """The repository copy: new questions, answers, a section that uses them; first a bad answer."""
    repo = copy_repo(tmp_path_factory.mktemp("types") / "repo")
    q = repo / "raw/questionnaire.yaml"
    text = q.read_text(encoding="utf-8")
    q.write_text(text.replace("# Named sets of States", NEW_SECTION + "# Named sets of States", 1), encoding="utf-8")
    add_answers(repo, ANSWERS)
    write(repo / "templates/sections/09_forum.md.j2", SECTION)
    paper = repo / "templates/paper.md.j2"
    paper.write_text(
        paper.read_text(encoding="utf-8").replace(
            '{% include "annexes/annex_1', '{% include "sections/09_forum.md.j2" %}\n\n{% include "annexes/annex_1', 1
        ),
        encoding="utf-8",
    )
    # A bad answer of each new type first: one problem table, nothing published.
    good = (repo / "raw/responses/2008/NOR.yaml").read_text(encoding="utf-8")
    add_answers(repo, {"NOR": ("added_value: [lobbying]\n  forum_useful: 6\n  focal_point_years: many\n", "")})
    failed = run_snakemake(repo)
    (repo / "raw/responses/2008/NOR.yaml").write_text(good, encoding="utf-8")
    built = run_snakemake(repo)
    assert built.returncode == 0, built.stderr[-4000:]
    return {"repo": repo, "failed": failed, "output": repo / "output"}


def test_bad_answers_stop_the_build_with_one_problem_table(extended):
    failed = extended["failed"]
    assert failed.returncode != 0
    report = failed.stderr
    assert "3 problems in the input" in report
    assert re.search(r"NOR\.yaml \| answers\.added_value +\| 'lobbying' .*\| one of: networking, knowledge", report)
    assert re.search(r"answers\.forum_useful +\| '6' .*\| one of: 1, 2, 3, 4, 5", report)
    assert re.search(r"answers\.focal_point_years +\| 'many' .*\| a number from 0 to 40", report)


def test_stats_json_holds_the_new_figures(extended):
    stats = json.loads((extended["output"] / "stats.json").read_text(encoding="utf-8"))
    q = stats["rounds"]["2008"]["questions"]
    av = q["added_value"]
    assert av["answered"] == 4  # PHL chose none of these, and counts
    assert av["counts"] == {"networking": 3, "knowledge exchange": 1, "partnerships": 1, "other": 1}
    assert av["pct"] == {"networking": 75, "knowledge exchange": 25, "partnerships": 25, "other": 25}
    assert av["states"]["networking"] == ["ARG", "BEL", "MEX"]
    assert av["other"] == {"ARG": "Peer learning visits"}
    useful = q["forum_useful"]
    assert useful["counts"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2} and useful["median"] == 4.5
    assert useful["states"]["5"] == ["BEL", "PHL"]
    years = q["focal_point_years"]
    assert (years["answered"], years["min"], years["median"], years["max"]) == (3, 1.5, 3, 12)
    assert years["values"] == {"ARG": 3, "BEL": 12, "MEX": 1.5}


def test_the_2008_paper_is_otherwise_unchanged(extended, built_paper):
    new = json.loads((extended["output"] / "stats.json").read_text(encoding="utf-8"))
    old = json.loads((built_paper / "stats.json").read_text(encoding="utf-8"))
    for name, rnd in old["rounds"].items():
        for key, figures in rnd["questions"].items():
            assert new["rounds"][name]["questions"][key] == figures, key
    assert new["changes"] == old["changes"]
    new_md = set((extended["output"] / "working_paper.md").read_text(encoding="utf-8").splitlines())
    old_md = (built_paper / "working_paper.md").read_text(encoding="utf-8").splitlines()
    assert [line for line in old_md if line not in new_md] == []


def test_annex_iii_has_their_charts(extended):
    out = extended["output"]
    manifest = {c["key"]: c for c in json.loads((out / "charts/charts.json").read_text(encoding="utf-8"))}
    for key in ("added_value", "forum_useful", "focal_point_years"):
        assert (out / f"charts/{key}.svg").is_file()
        assert manifest[key]["alt"]
    assert "Median: 4.5 (dashed line)." in (out / "charts/forum_useful.svg").read_text(encoding="utf-8")
    assert "Each respondent could choose several answers." in (out / "charts/added_value.svg").read_text(
        encoding="utf-8"
    )
    md = (out / "working_paper.md").read_text(encoding="utf-8")
    annex = md[md.index("ANNEX III") :]
    assert "### Figure 17: Added value of the Forum" in annex
    assert "Of 4 States that answered in 2008 (several answers could be chosen): 3 (75%) Networking" in annex
    assert "### Figure 18: Usefulness of the Forum" in annex and "median: 4.5" in annex
    assert "### Figure 19: Years as focal point" in annex and "median: 3; lowest 1.5, highest 12" in annex
    from pypdf import PdfReader

    pdf = " ".join(p.extract_text() for p in PdfReader(out / "working_paper.pdf").pages)
    assert "Figure 19: Years as focal point" in " ".join(pdf.split())
    log = (out / ".build/logs/render_pdf.log").read_text(encoding="utf-8")
    assert log == "layout: made ahead, while the charts were drawn: used\n"  # sizes known before drawing


def test_annex_i_has_their_wording(extended):
    md = (extended["output"] / "working_paper.md").read_text(encoding="utf-8")
    annex = md[md.index("ANNEX I:") : md.index("ANNEX II")]
    assert "*Please choose all that apply.*\n\n- networking\n- knowledge exchange\n- partnerships\n" in annex
    assert "- Other (please specify): " in annex
    assert "*Answer: 1 (Not at all useful) / 2 / 3 / 4 / 5 (Very useful).*" in annex
    assert "*Answer: a number from 0 to 40.*" in annex


def test_the_worked_example_of_the_editing_guide_prints_what_it_says(extended):
    md = (extended["output"] / "working_paper.md").read_text(encoding="utf-8")
    assert PRINTS.strip() in md
    assert "Networking was the added value most often chosen (by 3 of 4 States)" in PRINTS
