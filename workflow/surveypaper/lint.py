"""Find survey figures typed by hand into templates (they must come from the context).

A figure that depends on the answers -- a percentage, a "k out of n", a count of States,
respondents, responses, countries or governments, a number-word about respondents -- belongs in a
Jinja expression (`{{ survey.q.national_plan.yes }}`), never in the prose around it. Facts that
belong to one State's own example ("21 voluntary return programs", "In 1989", "3x1", "for the
last 15 years", "five agreements") are prose and stay typed.

The two are told apart without a list of allowed sentences, by what the number counts: a survey
count counts States (or respondents, responses, countries, governments, Member States); a
percentage carries a percent sign or word. Years, dates, ranges ("2002-2006"), "3x1", money and
numbers of programs, years, months, agreements ... are prose.

    python -m surveypaper.lint templates/      # exit status 1 when a figure is typed
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .numerals import NUMBER_WORDS

__all__ = ["Finding", "find_typed_figures", "lint_templates", "main", "strip_jinja"]


@dataclass(frozen=True)
class Finding:
    """One typed figure: where it is and what to write instead."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


# --- numbers -------------------------------------------------------------------------------------

NUMBER_WORD = NUMBER_WORDS  # "fifty-three", "a hundred", "one hundred and ninety-three" (surveypaper.numerals)
# Digits that stand alone: not part of a range (2002-2006), a product (3x1), an amount ($10),
# a unit (20hr), a decimal or a section number (3.2), a date or a thousands group.
DIGITS = r"(?<![\w$€£¥.,/\\-])\d{1,3}(?:,\d{3})*(?![\w.,/-]?\d)(?![\w-])"
NUMBER = rf"(?:{DIGITS}|\b{NUMBER_WORD}\b(?!-))"

# What a survey count counts.
COUNTED = r"(?:Member\s+States|States?|countries|country|respondents?|responses?|governments?|nations|replies|answers)"
# Words that may stand between the number and what it counts: "15 responding States".
BETWEEN = r"(?:(?:responding|other|more|further|additional|participating|such|different|Member|member)\s+)"
# Units of a State's own example: never a survey count.
PROSE_UNITS = (
    r"(?:years?|months?|weeks?|days?|hours?|programs?|programmes?|projects?|agreements?|priorit(?:y|ies)|"
    r"themes?|challenges?|departments?|ministries|pesos?|dollars?|euros?|million|billion)"
)

_RULES: list[tuple[re.Pattern, str]] = [
    (
        re.compile(rf"(?:\b\d+(?:\.\d+)?\s*%|{NUMBER}[\s-]*(?:percent|per\s+cent|percentage\s+points?)\b)", re.I),
        "typed percentage {m!r}: use {{{{ survey.q.<key>.pct | pct }}}} or {{{{ survey.q.<key>.pct | pct_words }}}}",
    ),
    (
        re.compile(
            rf"(?:{NUMBER}\s+(?:{COUNTED}\s+)?out\s+of\s+{NUMBER}|\bout\s+of\s+{NUMBER}(?!\s+{PROSE_UNITS}\b))", re.I
        ),
        "typed 'k out of n' {m!r}: use {{{{ survey.q.<key>.yes }}}} out of {{{{ survey.q.<key>.answered }}}}",
    ),
    (
        re.compile(rf"{NUMBER}\s+of\s+(?:the\s+|these\s+|those\s+)?{NUMBER}\s+{BETWEEN}*{COUNTED}\b", re.I),
        "typed 'k of n' {m!r}: use {{{{ survey.q.<key>.yes }}}} of {{{{ survey.q.<key>.answered }}}}",
    ),
    (
        re.compile(rf"{NUMBER}\s+(?:of\s+(?:the|these|those|all)\s+)?{BETWEEN}{{0,2}}{COUNTED}\b", re.I),
        "typed count of States {m!r}: use {{{{ survey.n | words }}}}, {{{{ <list> | length }}}} or a question's count",
    ),
    (
        re.compile(rf"{NUMBER}\s+(?:have\s+|had\s+)?(?:responded|replied|answered)\b", re.I),
        "typed number of respondents {m!r}: use {{{{ survey.n | words }}}} or a question's count",
    ),
]

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]:?")


def strip_jinja(text: str) -> str:
    """Blank out `{{…}}`, `{%…%}` and `{#…#}`, keeping every newline (so line numbers hold)."""
    return _JINJA.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _prose(line: str) -> str:
    """The words a reader sees: no emphasis markers, footnote labels or backslash escapes."""
    line = _FOOTNOTE_REF.sub(" ", line)
    line = re.sub(r"\\(.)", r"\1", line)
    return re.sub(r"[*_]+", "", line)


def find_typed_figures(template_text: str, filename: str) -> list[Finding]:
    """Survey figures typed outside Jinja expressions and statements, one Finding per figure."""
    findings: list[Finding] = []
    for number, raw in enumerate(strip_jinja(template_text).splitlines(), start=1):
        line = _prose(raw)
        taken: list[tuple[int, int]] = []
        for pattern, message in _RULES:
            for m in pattern.finditer(line):
                if any(m.start() < end and start < m.end() for start, end in taken):
                    continue  # one figure, one finding
                taken.append(m.span())
                findings.append(Finding(filename, number, message.format(m=" ".join(m.group(0).split()))))
    findings.sort(key=lambda f: f.line)
    return findings


def lint_templates(templates_dir: Path, pattern: str = "**/*.j2") -> list[Finding]:
    """Every typed figure in every template under `templates_dir`."""
    templates_dir = Path(templates_dir)
    findings: list[Finding] = []
    for path in sorted(templates_dir.glob(pattern)):
        name = path.relative_to(templates_dir.parent).as_posix()
        findings += find_typed_figures(path.read_text(encoding="utf-8"), name)
    return findings


def main(argv: list[str] | None = None) -> int:
    """`python -m surveypaper.lint [templates_dir]`: print findings, exit 1 if there are any."""
    args = sys.argv[1:] if argv is None else argv
    templates_dir = Path(args[0] if args else "templates")
    findings = lint_templates(templates_dir)
    for f in findings:
        print(f)
    if findings:
        print(f"{len(findings)} survey figure(s) typed by hand: take them from the context", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
