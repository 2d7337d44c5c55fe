"""`paper diff`: the pure comparison (hand-made stats and Markdown), then the command on real builds.

The end-to-end part builds the shipped data twice (once as is, once with a 54th response) in tmp
copies and one tmp git repository with two commits; the builds are session fixtures shared by
every test below.
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, copy_repo
from surveypaper import figure_changes
from surveypaper import redline as rl
from surveypaper.figure_changes import Labels

# ------------------------------------------------------------------------------------------------
# compare_stats on hand-made stats.json dicts


def _q(states: dict[str, list[str]], applicable: int | None = None, blank: list[str] = ()) -> dict:
    """One question's stats.json entry from the States behind each answer."""
    counts = {a: len(s) for a, s in states.items()}
    answered = sum(counts.values())
    return {
        "applicable": applicable if applicable is not None else answered + len(blank),
        "answered": answered,
        "blank": len(blank),
        "counts": counts,
        "pct": {a: (200 * k + answered) // (2 * answered) if answered else None for a, k in counts.items()},
        "states": {**states, "blank": list(blank)},
    }


def _stats(respondents, plan_yes, plan_no, diaspora, changes_no_to_yes=()) -> dict:
    return {
        "current": "2008",
        "previous": "2007",
        "rounds": {
            "2008": {
                "n": len(respondents),
                "respondents": sorted(respondents),
                "questions": {"plan": _q({"yes": sorted(plan_yes), "no": sorted(plan_no)})},
                "themes": {"diaspora": sorted(diaspora), "remittances": ["ARG"]},
                "sets": {"plan_or_intended": sorted(plan_yes)},
            },
            "2007": {
                "n": 2,
                "respondents": ["ARG", "NLD"],
                "questions": {"plan": _q({"yes": ["ARG"], "no": ["NLD"]})},
                "themes": {},
                "sets": {},
            },
        },
        "changes": {
            "from": "2007",
            "to": "2008",
            "questions": {"plan": {"answered_both": 2, "no_to_yes": list(changes_no_to_yes), "yes_to_no": []}},
        },
    }


LABELS = Labels(
    states={"ARG": "Argentina", "NLD": "the Netherlands", "NOR": "Norway", "PHL": "the Philippines"},
    state_sort={"ARG": "argentina", "NLD": "netherlands", "NOR": "norway", "PHL": "philippines"},
    questions={"plan": ("1", "Has a plan")},
    choices={"plan": ("yes", "no")},
    themes={"diaspora": "ties with nationals abroad"},
    sets={"plan_or_intended": "Plan or intends one"},
)


def test_compare_stats_names_moved_figures_lists_and_respondents():
    old = _stats(["ARG", "NLD", "NOR"], ["ARG"], ["NLD", "NOR"], ["ARG"])
    new = _stats(["ARG", "NLD", "NOR", "PHL"], ["ARG", "PHL", "NLD"], ["NOR"], ["ARG", "PHL"], ["NLD"])
    report = figure_changes.compare_stats(old, new, LABELS)

    assert report["respondents"] == [
        {
            "round": "2008",
            "old_n": 3,
            "new_n": 4,
            "added": [{"code": "PHL", "name": "the Philippines"}],
            "removed": [],
        }
    ]
    figs = {(f["round"], f["question"], f["answer"]): f for f in report["figures"]}
    assert figs[("2008", "plan", "yes")]["old"] == {"k": 1, "n": 3, "pct": 33}
    assert figs[("2008", "plan", "yes")]["new"] == {"k": 3, "n": 4, "pct": 75}
    assert figs[("2008", "plan", "yes")]["label"] == "Has a plan" and figs[("2008", "plan", "yes")]["number"] == "1"
    assert figs[("2008", "plan", "no")]["new"] == {"k": 1, "n": 4, "pct": 25}
    assert ("2007", "plan", "yes") not in figs  # an unchanged round says nothing
    assert ("2008", "plan", "blank") not in figs  # no blank before or after

    lists = {(e["kind"], e["key"], e["answer"]): e for e in report["lists"]}
    yes = lists[("answer", "plan", "yes")]
    # sorted as the paper sorts: by the name without its article
    assert [s["name"] for s in yes["added"]] == ["the Netherlands", "the Philippines"] and yes["removed"] == []
    assert [s["name"] for s in lists[("answer", "plan", "no")]["removed"]] == ["the Netherlands"]
    assert [s["name"] for s in lists[("theme", "diaspora", None)]["added"]] == ["the Philippines"]
    assert lists[("theme", "diaspora", None)]["label"] == "ties with nationals abroad"
    assert [s["name"] for s in lists[("set", "plan_or_intended", None)]["added"]] == [
        "the Netherlands",
        "the Philippines",
    ]
    move = lists[("change", "plan", "no_to_yes")]
    assert move["round"] == "2007→2008" and [s["name"] for s in move["added"]] == ["the Netherlands"]
    assert ("theme", "remittances", None) not in lists
    # yes before no: the questionnaire's order of answers
    plan_rows = [f["answer"] for f in report["figures"] if f["question"] == "plan" and f["round"] == "2008"]
    assert plan_rows == ["yes", "no"]
    assert figure_changes.has_changes(report)


def test_compare_stats_identical_is_empty():
    s = _stats(["ARG", "NLD"], ["ARG"], ["NLD"], [])
    report = figure_changes.compare_stats(s, copy.deepcopy(s), LABELS)
    assert not figure_changes.has_changes(report)
    assert report["figures"] == report["lists"] == report["respondents"] == []
    assert "No figure" in figure_changes.figures_markdown(report)


def test_compare_stats_blank_only_when_the_blanks_move_and_rounds_added():
    old = _stats(["ARG", "NLD"], ["ARG"], ["NLD"], [])
    new = copy.deepcopy(old)
    new["rounds"]["2008"]["questions"]["plan"] = _q({"yes": ["ARG"], "no": []}, blank=["NLD"])
    new["rounds"]["2009"] = copy.deepcopy(new["rounds"]["2008"])
    report = figure_changes.compare_stats(old, new)  # no labels: codes and keys
    blank = [f for f in report["figures"] if f["answer"] == "blank"]
    assert blank == [
        {
            "round": "2008",
            "question": "plan",
            "number": "",
            "label": "",
            "answer": "blank",
            "old": {"k": 0, "n": 2, "pct": None},
            "new": {"k": 1, "n": 2, "pct": None},
        }
    ]
    assert [s["name"] for e in report["lists"] if e["answer"] == "blank" for s in e["added"]] == ["NLD"]
    assert report["rounds_added"] == [{"round": "2009", "n": 2}]


def test_figures_markdown_and_summary():
    old = _stats(["ARG", "NLD", "NOR"], ["ARG"], ["NLD", "NOR"], ["ARG"])
    new = _stats(["ARG", "NLD", "NOR", "PHL"], ["ARG", "PHL"], ["NLD", "NOR"], ["ARG", "PHL"])
    report = figure_changes.compare_stats(old, new, LABELS)
    md = figure_changes.figures_markdown(report, "v1", "v2")
    assert md.startswith("# Figures that changed: v1 → v2")
    assert "- 2008: 3 → 4; + the Philippines" in md
    assert "| Q1 Has a plan (`plan`) | yes | 1/3 (33%) | 2/4 (50%) |" in md
    assert "|  | no | 2/3 (67%) | 2/4 (50%) |" in md
    assert "**2008, theme diaspora** (ties with nationals abroad), 1 → 2: + the Philippines" in md
    assert "printed in" not in md  # no provenance.json: no links
    prov = [
        {"question": "plan", "round": "2008", "section": "2.1 Political commitment", "text": "2"},
        {"question": "plan", "round": "2008", "section": "2.1.1 Plans", "text": "Two"},
        {"question": "plan", "round": "2008", "section": "2.1 Political commitment", "text": "50%"},
        {"question": "other", "round": "2008", "section": "3", "text": "1"},
    ]
    md = figure_changes.figures_markdown(report, "v1", "v2", figure_changes.printed_in(prov))
    assert "- `plan`: printed in 2.1 Political commitment and 2.1.1 Plans" in md
    assert "`other`: printed" not in md
    lines = figure_changes.summary_lines(report, 3)
    assert lines[0] == "text: 3 changes"
    assert "respondents 2008: 3 → 4 (+ the Philippines)" in lines
    assert "  2008 Q1 plan: yes 1/3 (33%) → 2/4 (50%); no 2/3 (67%) → 2/4 (50%)" in lines


# ------------------------------------------------------------------------------------------------
# The redline of hand-made Markdown

PAPER = """\
GLOBAL FORUM
Manila, 2008

Working Paper[^draft]

[^draft]: Drafted by Sweden.

## INTRODUCTION

**Fifty-three** responses to the questionnaire were received.
Argentina and *Brazil* said so, with 26 out of 53 (49%).[^list]

[^list]: Argentina, Brazil, the Netherlands and Norway.

## ANNEX II

| State | Region |
|---|---|
| Argentina | Americas |
| Norway | Europe |

- Argentina
- Norway

## ANNEX III

![26 of 53 States (49%) answered yes.](charts/national\\_plan.svg)
"""


# --- an oracle for the redline: the standard library's HTML parser, not the redline's tokenizer ----

#: HTML's void elements (the HTML standard's list): no end tag.
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


class Parsed(HTMLParser):
    """An HTML fragment as a tree of ``(tag, attrs, children)`` and text; raises if it is not well-formed."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root: list = []
        self.stack: list[tuple[str, dict, list]] = []
        self.ids: list[str] = []
        self.feed(html)
        self.close()
        assert not self.stack, f"never closed: {[t for t, _, _ in self.stack]}"

    def _children(self) -> list:
        return self.stack[-1][2] if self.stack else self.root

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if "id" in attrs:
            self.ids.append(attrs["id"])
        node = (tag, attrs, [])
        self._children().append(node)
        if tag not in VOID_ELEMENTS:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.pop()

    def handle_endtag(self, tag):
        assert tag not in VOID_ELEMENTS, f"</{tag}>"
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> closes {[t for t, _, _ in self.stack[-3:]]}"
        self.stack.pop()

    def handle_data(self, data):
        self._children().append(data)


def _text(nodes, drop, unwrap=lambda node: False) -> str:
    """The text of ``nodes`` without the elements ``drop`` selects (their content too) and with the
    tags of those ``unwrap`` selects left out (their content kept); every tag kept is written (its
    name between \\x01 and \\x02), so that the structure is compared along with the words."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        tag, _attrs, children = node
        if drop(node):
            continue
        inner = _text(children, drop, unwrap)
        out.append(
            inner if unwrap(node) else f"\x01{tag}\x02{inner}" + ("" if tag in VOID_ELEMENTS else f"\x01/{tag}\x02")
        )
    return "".join(out)


def _deleted(node) -> bool:
    """What only the old draft had: <del> marks and whole old elements (data-rl="del")."""
    tag, attrs, _ = node
    return tag == "del" or attrs.get("data-rl") == "del"


def _inserted(node) -> bool:
    return node[0] == "ins"


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _norm(text: str) -> str:
    """Whitespace folded, none next to a tag (a deleted block may leave the whitespace that followed it)."""
    return re.sub(r"\s*([\x01\x02])\s*", r"\1", re.sub(r"\s+", " ", text)).strip()


def _check(old_md: str, new_md: str) -> rl.Redline:
    """The redline read back with html.parser: well-formed, ids unique, the new draft without the
    <del>s, the old draft's words without the <ins>s."""
    red = rl.redline(old_md, new_md)
    merged = Parsed(red.html)
    assert len(merged.ids) == len(set(merged.ids)), sorted({i for i in merged.ids if merged.ids.count(i) > 1})
    new = Parsed(rl._show_alt(rl.screen_body_html(new_md)))
    old = Parsed(rl._show_alt(rl.screen_body_html(old_md)))
    never = lambda node: False  # noqa: E731
    # the new draft, tags and words: the merged document without what was deleted, <ins> marks unwrapped
    assert _norm(_text(merged.root, _deleted, _inserted)) == _norm(_text(new.root, never))
    # the old draft's words (its structure may differ): the merged document without what was inserted
    assert _squeeze(_text(merged.root, _inserted, lambda node: True)) == _squeeze(
        _text(old.root, never, lambda node: True)
    )
    anchors = re.findall(r'id="(change-\d+)"', red.html)
    assert anchors == [f"change-{k}" for k in range(1, len(red.changes) + 1)] == [c.anchor for c in red.changes]
    return red


def test_redline_marks_words_and_numbers_each_change():
    new = (
        PAPER.replace("**Fifty-three**", "**Fifty-four**")
        .replace("26 out of 53 (49%)", "27 out of 54 (50%)")
        .replace("the Netherlands and Norway", "the Netherlands, Norway and Peru")
        .replace("| Norway | Europe |", "| Norway | Europe |\n| Peru | Americas |")
        .replace("- Norway", "- Norway\n- Peru")
    )
    red = _check(PAPER, new)
    marks = re.sub(r' class="rl-data"', "", red.html)  # a change that followed the data is marked so
    assert '<strong><del id="change-1">Fifty-three</del><ins>Fifty-four</ins></strong>' in marks
    assert '<del id="change-2">26</del><ins>27</ins> out of <del id="change-3">53</del><ins>54</ins>' in marks
    assert "<td><ins" in marks and ">Peru</ins></td>" in marks  # a new row: its cells, marked
    assert re.search(r"<li><ins id=\"change-\d+\">Peru</ins></li>", marks)
    first = red.changes[0]
    assert (first.section, first.section_id, first.old, first.new) == (
        "INTRODUCTION",
        "introduction",
        "Fifty-three",
        "Fifty-four",
    )
    assert first.after.startswith(" responses to the")
    assert red.inserted_words >= 6 and red.deleted_words >= 3
    note = [c for c in red.changes if c.section == "Notes"]
    assert any("Peru" in c.new for c in note)  # footnotes are compared too
    # the list reads as a list: "and" became a comma, "and Peru" came at its end
    assert re.search(
        r'the Netherlands<del id="change-\d+"> and</del><ins>,</ins> Norway<ins id="change-\d+"> and Peru</ins>',
        marks,
    )


def test_redline_of_the_same_text_is_the_text():
    red = _check(PAPER, PAPER)
    assert red.changes == [] and "<ins" not in red.html and "<del" not in red.html


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.replace("| Norway | Europe |\n", ""),  # a row removed
        lambda s: s.replace("- Norway\n", ""),  # a list item removed
        lambda s: s.replace("- Argentina\n- Norway\n", "Argentina and Norway in a sentence.\n"),  # a list became prose
        lambda s: s.replace("## ANNEX II\n", "## ANNEX II: RESPONDENTS\n"),  # a heading (and its id) renamed
        lambda s: s.replace("*Brazil*", "Brazil").replace("**Fifty-three**", "Fifty-three"),  # emphasis dropped
        lambda s: s.replace("## INTRODUCTION\n\n**Fifty-three** responses to the questionnaire were received.\n", ""),
        lambda s: s.replace("said so", "said so[^new]") + "\n[^new]: A new note.\n",  # a note inserted: renumbered
        lambda s: s.replace("[^list]", ""),  # a note removed
        lambda s: s.split("## ANNEX II")[0],  # the annexes cut
        lambda s: "## NEW FIRST\n\nA paragraph.\n\n" + s,
    ],
    ids=[
        "row-removed",
        "item-removed",
        "list-to-prose",
        "heading-renamed",
        "emphasis",
        "section-cut",
        "note-added",
        "note-removed",
        "annexes-cut",
        "new-start",
    ],
)
def test_redline_stays_well_formed_and_faithful(edit):
    _check(PAPER, edit(PAPER))
    _check(edit(PAPER), PAPER)


def test_redline_random_word_edits():
    rng = random.Random(4)
    words = re.findall(r"[A-Za-z]+", PAPER)
    for _ in range(25):
        text = PAPER
        for _ in range(rng.randint(1, 6)):
            w = rng.choice(words)
            text = text.replace(w, rng.choice(["Peru", "", w + " " + w, "**bold**"]), 1)
        _check(PAPER, text)


def test_redline_charts_inlined_and_a_redrawn_chart_shown_both_ways():
    new = PAPER.replace("26 of 53 States (49%)", "27 of 54 States (50%)")
    old_charts = {"national_plan.svg": b"<svg>old</svg>"}
    new_charts = {"national_plan.svg": b"<svg>new</svg>"}
    red = rl.redline(PAPER, new, old_charts, new_charts)
    assert "charts/national_plan.svg" not in red.html
    assert red.html.count("data:image/svg+xml;base64,") == 2
    chart = [c for c in red.changes if c.kind == "chart"]
    assert len(chart) == 1 and chart[0].section == "ANNEX III"
    assert '<span class="rl-alt"><del' in red.html  # the alt text, compared word by word
    same = rl.redline(PAPER, PAPER, old_charts, old_charts)
    assert same.changes == [] and same.html.count("data:image/svg+xml;base64,") == 1


def test_redline_document_is_self_contained(tmp_path):
    new = PAPER.replace("**Fifty-three**", "**Fifty-four**")
    red = rl.redline(PAPER, new, {}, {"national_plan.svg": b"<svg/>"})
    report = figure_changes.compare_stats(
        _stats(["ARG"], ["ARG"], [], []), _stats(["ARG", "NOR"], ["ARG", "NOR"], [], []), LABELS
    )
    page = rl.redline_document(red, report, "old <one>", "new", title="A & B")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Redline · A &amp; B · old &lt;one&gt; → new</title>" in page
    assert '<a class="rl-n" href="#change-1">1</a>' in page and 'id="change-1"' in page
    assert "<ins>+ Norway</ins>" in page
    assert not re.search(r"""(?:src|href)=["'](?!#|data:)""", page)  # nothing fetched from outside
    assert "<link" not in page and "<script" not in page


# ------------------------------------------------------------------------------------------------
# The command on real builds: two folders, two revisions, --exit-code, the worktree untouched

PY = sys.executable


def _paper(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "-m", "surveypaper.cli", "diff", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def _own_code(repo: Path) -> dict:
    """Build a copy with its own package code (not the editable install's)."""
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(repo / "workflow"), os.environ.get("PYTHONPATH")]))}


def _new_state(repo: Path) -> tuple[str, str]:
    """Add a response for a State of raw/states.yaml that did not answer the latest round,
    answering yes (or the first choice) to every closed question put to it; (ISO3, name)."""
    from surveypaper import questionnaire as qmod
    from surveypaper.states import load_states, load_themes

    raw = repo / "raw"
    latest = sorted(p for p in (raw / "responses").iterdir() if p.is_dir())[-1]
    answered = {p.stem for p in latest.iterdir()}
    stats = (
        json.loads((repo / "output" / "stats.json").read_text()) if (repo / "output" / "stats.json").exists() else None
    )
    if stats:
        answered |= set(stats["rounds"][latest.name]["respondents"])
    states = load_states(raw / "states.yaml")
    code = sorted(c for c in states if c not in answered)[-1]
    q = qmod.load(raw / "questionnaire.yaml")
    answers: dict[str, str] = {}
    for key, question in q.questions.items():
        if question.closed and question.asked_in_round(latest.name) and question.applies(answers):
            answers[key] = "yes" if question.type == "yes_no" else question.choices[0]
    themes = sorted(load_themes(raw / "themes.yaml"))[:2]
    lines = [
        f"state: {code}",
        "answers:",
        *(f"  {k}: {v}" for k, v in answers.items()),
        f"themes: [{', '.join(themes)}]",
        "",
    ]
    (latest / f"{code}.yaml").write_text("\n".join(lines), encoding="utf-8")
    return code, states[code].name


def _git(repo: Path, *args: str, env: dict | None = None) -> str:
    extra = env or {}
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        **extra,
    }
    res = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **env})
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.fixture(scope="session")
def two_commits(tmp_path_factory) -> dict:
    """A tmp git repository: commit 1 is the repository as shipped, commit 2 adds one response.

    Both revisions are built once here through `paper diff` itself (into a cache shared by the
    tests); the output folders of the builds serve the folder tests.
    """
    base = tmp_path_factory.mktemp("diff")
    repo = copy_repo(base / "repo")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "the paper as shipped")
    code, name = _new_state(repo)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", f"a response from {name}")
    cache = base / "cache"
    env = {"SURVEYPAPER_BUILD_CACHE": str(cache)}
    first = _paper("HEAD~1", "HEAD", "-o", str(base / "revs"), "--cores", "2", cwd=repo, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    shas = _git(repo, "rev-parse", "HEAD~1", "HEAD").split()
    return {
        "repo": repo,
        "code": code,
        "name": name,
        "env": env,
        "cache": cache,
        "out": base / "revs",
        "first": first,
        "old": cache / shas[0] / "output",
        "new": cache / shas[1] / "output",
        "base": base,
    }


def test_diff_of_two_revisions(two_commits):
    first, out, name = two_commits["first"], two_commits["out"], two_commits["name"]
    assert "building HEAD~1" in first.stderr and "building HEAD" in first.stderr
    assert "respondents 2008: 53 → 54 (+ " + name + ")" in first.stdout
    page = (out / "redline.html").read_text(encoding="utf-8")
    assert re.search(
        r'<del id="change-\d+" class="rl-data">Fifty-three</del><ins class="rl-data">Fifty-four</ins>', page
    )
    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    assert figures["differs"] is True and figures["new"]["commit"] and figures["old"]["commit"]
    assert figures["respondents"][0]["added"] == [{"code": two_commits["code"], "name": name}]
    # cached: a second diff builds nothing
    again = _paper(
        "HEAD~1", "HEAD", "-o", str(two_commits["base"] / "again"), cwd=two_commits["repo"], env=two_commits["env"]
    )
    assert again.returncode == 0 and "building" not in again.stderr


def test_diff_of_two_folders_names_every_list_the_new_state_joined(two_commits, tmp_path):
    # the old build's output copied away from its raw/ (names then come from the new side)
    old = shutil.copytree(two_commits["old"], tmp_path / "before")
    new, name, code = two_commits["new"], two_commits["name"], two_commits["code"]
    res = _paper(str(old), str(new), "-o", str(tmp_path / "d"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    page = (tmp_path / "d" / "redline.html").read_text(encoding="utf-8")
    assert "<del id=" in page and '>Fifty-three</del><ins class="rl-data">Fifty-four</ins>' in page
    assert 'href="#change-1"' in page and 'id="change-1"' in page

    stats = json.loads((new / "stats.json").read_text())
    rnd = stats["rounds"][stats["current"]]
    joined = {("answer", k, a) for k, q in rnd["questions"].items() for a, s in q["states"].items() if code in s}
    joined |= {("theme", k, None) for k, s in rnd["themes"].items() if code in s}
    joined |= {("set", k, None) for k, s in rnd["sets"].items() if code in s}
    assert len(joined) > 10
    figures = json.loads((tmp_path / "d" / "figures.json").read_text())
    listed = {
        (e["kind"], e["key"], e["answer"])
        for e in figures["lists"]
        if e["round"] == stats["current"] and {"code": code, "name": name} in e["added"]
    }
    assert listed == joined
    md = (tmp_path / "d" / "figures.md").read_text()
    assert md.count(f"+ {name}") >= len(joined)
    moved = {f["question"] for f in figures["figures"] if f["round"] == stats["current"]}
    assert {k for kind, k, _ in joined if kind == "answer"} <= moved
    for key in moved:
        assert f"`{key}`" in md
    assert "national_plan" in moved and "| yes | 26/53 (49%) | 27/54 (50%) |" in md


def test_exit_code(two_commits, tmp_path):
    old, new = str(two_commits["old"]), str(two_commits["new"])
    assert _paper(old, old, "-o", str(tmp_path / "a"), "--exit-code", cwd=tmp_path).returncode == 0
    same = _paper(old, old, "-o", str(tmp_path / "a"), cwd=tmp_path)
    assert same.returncode == 0 and "no differences" in same.stdout
    assert _paper(old, new, "-o", str(tmp_path / "b"), "--exit-code", cwd=tmp_path).returncode == 1
    assert _paper(old, new, "-o", str(tmp_path / "b"), cwd=tmp_path).returncode == 0
    bad = _paper(old, "no-such-thing", cwd=tmp_path)
    assert bad.returncode == 2 and "no-such-thing" in bad.stderr


def test_worktree_is_built_as_it_is_and_left_untouched(two_commits):
    """WORKTREE is the working tree with its uncommitted edits, built in a copy: a stale output/ is never read."""
    repo, env = two_commits["repo"], two_commits["env"]
    section = repo / "templates/sections/01_introduction.md.j2"
    original = section.read_text(encoding="utf-8")
    first = next(line for line in original.splitlines() if len(line.split()) > 8 and "{" not in line)
    edited = original.replace(first, first.replace(" ", " uncommitted ", 1), 1)
    section.write_text(edited, encoding="utf-8")
    snapshot = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.parts}
    # a stale output/: the first revision's build (53 respondents; HEAD has 54)
    shutil.copytree(two_commits["old"], repo / "output")
    try:
        res = _paper("HEAD", "WORKTREE", cwd=repo / "raw", env=env)  # from a sub-folder: the root is found
        assert res.returncode == 0, res.stderr
        assert "building the working tree in a copy of its own" in res.stderr
        assert "respondents" not in res.stdout  # the stale output/ (53 respondents) was not read
        assert "text: 1 change (1 prose edit, 0 that followed the data" in res.stdout, res.stdout
        page = (repo / "output" / "diff" / "redline.html").read_text(encoding="utf-8")
        assert re.search(r"<ins[^>]*>[^<]*uncommitted[^<]*</ins>", page)
        assert _git(repo, "status", "--porcelain") == " M templates/sections/01_introduction.md.j2\n"
        assert _git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
        # the same edits again: cached, nothing built
        again = _paper("HEAD", ".", "-o", str(two_commits["base"] / "wt-again"), cwd=repo, env=env)
        assert again.returncode == 0 and "building" not in again.stderr
    finally:
        shutil.rmtree(repo / "output")
        after = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.parts}
        section.write_text(original, encoding="utf-8")
    assert after == snapshot


def test_a_stale_output_folder_is_named_as_such(two_commits, tmp_path):
    repo, env = two_commits["repo"], two_commits["env"]
    shutil.copytree(two_commits["old"], repo / "output")
    try:
        stamp = (repo / "output" / "stats.json").stat().st_mtime
        later = max(stamp, time.time()) + 100  # newer than every other file
        os.utime(repo / "templates/paper.yaml", (later, later))
        res = _paper("HEAD", "output", "-o", str(tmp_path / "d"), cwd=repo, env=env)
        assert res.returncode == 0, res.stderr
        assert "output was built before the last edit to templates/paper.yaml" in res.stderr
    finally:
        shutil.rmtree(repo / "output")


def test_a_revision_that_fails_to_build_prints_its_whole_report_and_keeps_the_log(two_commits, tmp_path):
    """A commit with a bad response, made without touching the checkout: the report's rows come whole."""
    repo, env = two_commits["repo"], two_commits["env"]
    index = {"GIT_INDEX_FILE": str(tmp_path / "index")}
    _git(repo, "read-tree", "HEAD", env=index)
    blob = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=repo,
        input="state: ARG\nanswers: {national_plan: Maybe}\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    _git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},raw/responses/2008/ARG.yaml", env=index)
    tree = _git(repo, "write-tree", env=index).strip()
    sha = _git(repo, "commit-tree", tree, "-p", "HEAD", "-m", "a bad answer").strip()
    res = _paper("HEAD", sha, "-o", str(tmp_path / "d"), cwd=repo, env=env)
    assert res.returncode == 2
    row = next(line for line in res.stderr.splitlines() if "answers.national_plan" in line)
    assert row.startswith("raw/responses/2008/ARG.yaml") and "one of: yes, no" in row
    log = re.search(r"the whole log: (\S+)\)", res.stderr)
    assert log and Path(log.group(1)).is_file()
    assert "answers.national_plan" in Path(log.group(1)).read_text(encoding="utf-8")


def test_cli_lists_diff():
    res = subprocess.run([PY, "-m", "surveypaper.cli", "diff", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0 and "--exit-code" in res.stdout and "WORKTREE" in res.stdout


def test_prose_edits_are_told_from_changes_that_followed_the_data(two_commits):
    """A new response moves figures, lists of States and chart alt text; one prose edit beside them stands out."""
    from surveypaper import figure_changes, redline
    from surveypaper.states import load_states

    old_md = (two_commits["old"] / "working_paper.md").read_text(encoding="utf-8")
    new_md = (two_commits["new"] / "working_paper.md").read_text(encoding="utf-8")
    sentence = "Political commitment is almost always a precondition for policy action."
    assert sentence in new_md
    edited = new_md.replace(sentence, "Political commitment is nearly always a precondition for policy action.", 1)
    names = [s.name for s in load_states(two_commits["repo"] / "raw/states.yaml").values()]
    red = redline.redline(old_md, edited, data_words=names)
    prose = red.prose_changes
    assert [(c.old.strip(), c.new.strip()) for c in prose] == [("almost", "nearly")], [c.as_dict() for c in prose]
    assert len(red.data_changes) >= 10 and len(red.changes) == len(prose) + len(red.data_changes)
    alt = [c for c in red.changes if "answered" in (c.before + c.after) and c.kind == "text"]
    assert all(c.origin == "data" for c in alt)
    # the engine tags each change; the HTML marks the data's changes and can hide them
    assert all(c.as_dict()["origin"] in ("prose", "data") for c in red.changes)
    assert 'class="rl-data"' in red.html and "nearly" in red.html
    stats = json.loads((two_commits["new"] / "stats.json").read_text(encoding="utf-8"))
    report = figure_changes.compare_stats(stats, stats)
    page = redline.redline_document(red, report, "OLD", "NEW", prose_only=True)
    assert '<input type="checkbox" id="rl-prose-only" class="rl-toggle" checked>' in page
    assert f"<strong>1</strong> prose edit and <strong>{len(red.data_changes)}</strong> changes that followed" in page
    lines = figure_changes.summary_lines(report, len(red.changes), len(prose))
    assert (
        lines[0]
        == f"text: {len(red.changes)} changes (1 prose edit, {len(red.data_changes)} that followed the data: figures, lists of States, chart alt text)"
    )


# --- redline.docx: the same changes as Word tracked changes -----------------------------------------


def _tracked(data: bytes) -> dict:
    """The tracked changes of a .docx: the w:ins and w:del of its body and notes, the text each
    holds, and the change-N bookmarks each change starts with (in order)."""
    from test_docx import NS, W, part

    revisions, bookmarks, first_marks = [], [], []
    for name in ("word/document.xml", "word/footnotes.xml"):
        root = part(data, name)
        revisions += [(name, e) for e in root.iter(f"{{{W}}}ins", f"{{{W}}}del")]
        for start in root.iter(f"{{{W}}}bookmarkStart"):
            if re.fullmatch(r"change-\d+", start.get(f"{{{W}}}name")):
                bookmarks.append(start.get(f"{{{W}}}name"))
                after = [e for e in start.itersiblings() if e.tag != f"{{{W}}}bookmarkEnd"][:1]
                first_marks.append(
                    bool(after)
                    and (
                        after[0].tag in (f"{{{W}}}ins", f"{{{W}}}del")
                        or after[0].find(".//w:ins", NS) is not None
                        or after[0].find(".//w:del", NS) is not None
                    )
                )
    return {
        "revisions": revisions,
        "inserted": " ".join(
            "".join(t.text or "" for t in e.iter(f"{{{W}}}t")) for _, e in revisions if e.tag == f"{{{W}}}ins"
        ),
        "deleted": " ".join(
            "".join(t.text or "" for t in e.iter(f"{{{W}}}delText")) for _, e in revisions if e.tag == f"{{{W}}}del"
        ),
        "bookmarks": bookmarks,
        "marked": first_marks,
    }


def test_tracked_changes_html_is_pandocs_track_changes():
    html = '<p>a <del id="change-1">b</del><ins>c</ins> <span class="rl-chart" id="change-2"><del><img src="x"></del></span></p>'
    out = rl.tracked_changes_html(html, "2008-10-29")
    assert out == (
        '<p>a <span class="deletion" author="paper diff" date="2008-10-29T00:00:00Z" id="change-1">b</span>'
        '<span class="insertion" author="paper diff" date="2008-10-29T00:00:00Z">c</span> '
        '<span class="rl-chart" id="change-2"><span class="deletion" author="paper diff" date="2008-10-29T00:00:00Z">'
        '<img src="x"></span></span></p>'
    )


def test_redline_docx_of_hand_made_drafts_has_each_change_once(tmp_path):
    from surveypaper.document import TEMPLATES_DIR

    new = (
        PAPER.replace("**Fifty-three**", "**Fifty-four**")
        .replace("the Netherlands and Norway", "the Netherlands, Norway and Peru")
        .replace("- Norway", "- Norway\n- Peru")
    )
    props = {"title": "T", "author": "A", "subject": "S", "keywords": "k", "lang": "en", "date": "2009-01-02"}
    props["running_head"] = "Redline"
    red = rl.redline(PAPER, new)
    tracked = _tracked(rl.redline_docx(red, props, TEMPLATES_DIR / "reference.docx"))
    assert tracked["bookmarks"] == [c.anchor for c in red.changes]  # one Word change per HTML change, in order
    assert all(tracked["marked"])
    assert "Fifty-four" in tracked["inserted"] and "Fifty-three" in tracked["deleted"]
    assert any(name == "word/footnotes.xml" for name, _ in tracked["revisions"])  # in the notes too
    same = _tracked(rl.redline_docx(rl.redline(PAPER, PAPER), props, TEMPLATES_DIR / "reference.docx"))
    assert same["revisions"] == [] and same["bookmarks"] == []


def test_redline_docx_after_a_new_response(two_commits):
    from test_docx import NS, W, part

    out, name = two_commits["out"], two_commits["name"]
    data = (out / "redline.docx").read_bytes()
    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    page = (out / "redline.html").read_text(encoding="utf-8")
    tracked = _tracked(data)
    # as many tracked changes as redline.html has changes, the same ones
    changes = figures["text"]["changes"]
    assert changes > 5
    assert tracked["bookmarks"] == [f"change-{k}" for k in range(1, changes + 1)]
    assert sorted(tracked["bookmarks"]) == sorted(set(re.findall(r'id="(change-\d+)"', page)))
    assert all(tracked["marked"])
    assert "Fifty-four" in tracked["inserted"] and "Fifty-three" in tracked["deleted"]
    for _, e in tracked["revisions"]:
        assert e.get(f"{{{W}}}author") == "paper diff"
        assert e.get(f"{{{W}}}date") == "2008-10-29T00:00:00Z"  # the new draft's date (templates/paper.yaml)
    ids = [e.get(f"{{{W}}}id") for _, e in tracked["revisions"]]
    assert len(ids) == len(set(ids))
    # footnotes and annexes included: the new State in a note and in Annex II's table
    assert any(n == "word/footnotes.xml" for n, _ in tracked["revisions"])
    table_ins = part(data, "word/document.xml").findall(".//w:tbl//w:ins", NS)
    assert name in ["".join(t.text for t in e.iter(f"{{{W}}}t")) for e in table_ins]
