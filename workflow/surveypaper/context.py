"""The template context: stats.json turned into objects editors can name (see docs/architecture.md)."""

from __future__ import annotations

from .printing import percent
from .states import State


class Bag:
    """Read-only mapping whose keys are also attributes (`survey.q.national_plan`)."""

    print_kind = "group"  # what surveypaper.printing calls it: a group of names, not a value to print

    def __init__(self, items: dict, what: str):
        self._items = dict(items)
        self._what = what

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._items[key]
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key):
        return self._items[key]

    def __contains__(self, key) -> bool:
        return key in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def known(self) -> list[str]:
        """The names this bag holds (for 'did you mean' messages)."""
        return list(self._items)

    def __repr__(self) -> str:
        return f"<{self._what}: {', '.join(self._items)}>"


class StateList(list):
    """States sorted by name without the article; prints as the joined names."""

    print_kind = "states"

    def __str__(self) -> str:
        from .filters import states

        return str(states(self)) if self else ""


def state_list(codes, states: dict[str, State]) -> StateList:
    """The States of these ISO3 codes, sorted as the paper sorts them."""
    return StateList(sorted(states[c] for c in codes))


class QuestionView:
    """One closed question's results in one round (yes/no, choice, multi-choice, scale)."""

    print_kind = "question"

    def __init__(self, key: str, data: dict, states: dict[str, State], question=None):
        self.key = key
        self.number = question.number if question else ""
        self.short = question.short if question else ""
        self.type = question.type if question else ""
        self.counts = dict(data["counts"])
        self.pcts = {answer: percent(p) for answer, p in data["pct"].items()}
        self.states = {c: state_list(s, states) for c, s in data["states"].items()}
        self.answered = data["answered"]
        self.applicable = data["applicable"]
        self.blank = data["blank"]
        self.others = OtherTexts(
            sorted((OtherText(states[s], t) for s, t in (data.get("other") or {}).items()), key=lambda o: o.state)
        )
        self.median = data.get("median")
        self._labels = dict(question.labels) if question else {}
        # questionnaire order (stats.json sorts its keys): ties in `ranked` keep it
        self._order = [c for c in (question.options if question else ()) if c in self.counts]
        self._order += [c for c in self.counts if c not in self._order]

    yes = property(lambda self: self.counts.get("yes", 0), doc="States answering yes")
    no = property(lambda self: self.counts.get("no", 0), doc="States answering no")
    pct = property(lambda self: self.pcts.get("yes"), doc="percent yes of those who answered")
    pct_no = property(lambda self: self.pcts.get("no"), doc="percent no of those who answered")
    states_yes = property(lambda self: self.states.get("yes", StateList()), doc="States answering yes")
    states_no = property(lambda self: self.states.get("no", StateList()), doc="States answering no")

    @property
    def ranked(self) -> ChoiceList:
        """Every answer with its count, most chosen first (ties in questionnaire order)."""
        results = [
            ChoiceResult(c, self.counts[c], self.pcts.get(c), self.states.get(c, StateList()), self.answered)
            for c in self._order
        ]
        return ChoiceList(sorted(results, key=lambda r: -r.count))

    @property
    def top(self):
        """The most chosen answer (the first of `ranked`); None when nobody answered."""
        ranked = self.ranked
        return ranked[0] if ranked and ranked[0].count else None

    @property
    def top_choices(self) -> ChoiceList:
        """Every answer sharing the highest count (more than one on a tie)."""
        ranked = self.ranked
        return ChoiceList(r for r in ranked if r.count and r.count == ranked[0].count)

    @property
    def median_words(self) -> str:
        """A scale's median as a reader says it: "four", "four and a half", or the point's name."""
        from .filters import number_words

        if self.median is None:
            return "none"
        return number_words(self.median) if isinstance(self.median, (int, float)) else str(self.median)

    @property
    def median_label(self) -> str:
        """The label of the scale's end the median falls on ("strongly agree"), else empty."""
        from .questionnaire import number_text

        if self.median is None:
            return ""
        point = self.median if isinstance(self.median, str) else number_text(self.median)
        return self._labels.get(point, "")

    def __repr__(self) -> str:
        return f"<question {self.key}: {self.yes} yes of {self.answered}>"


class RegionGroup:
    """One region's respondents in a round: `.region` (prints as "the Americas"), `.name`, `.states`, `.n`."""

    def __init__(self, region, states: StateList):
        self.region = region
        self.name = region.name
        self.short = region.short
        self.states = states
        self.n = len(states)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<region {self.short}: {self.n} States>"


class RegionsView:
    """A round's respondents by region: iterates over every region of the world (`RegionGroup`s, by name);
    `regions["Americas"]` is one of them.

    `.represented` / `.missing`: the regions with / without a respondent; `.all_represented`: whether
    every region has one; `.counts[name]`: respondents per region; `.sub_regions[name]`: a StateList
    per sub-region with respondents.
    """

    def __init__(self, by_region: dict, by_sub_region: dict, names: dict, states: dict[str, State]):
        from .regions import Region

        self.groups = [
            RegionGroup(names.get(r, Region(r)), state_list(codes, states)) for r, codes in sorted(by_region.items())
        ]
        self.represented = [g for g in self.groups if g.n]
        self.missing = [g for g in self.groups if not g.n]
        self.all_represented = bool(self.groups) and not self.missing
        self.counts = {g.short: g.n for g in self.groups}
        self.sub_regions = Bag(
            {k: state_list(v, states) for k, v in sorted(by_sub_region.items())}, "sub-regions with respondents"
        )

    def __iter__(self):
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def __getitem__(self, short: str) -> RegionGroup:
        """One region's group by its name without article: `survey.regions["Americas"].states`."""
        for group in self.groups:
            if group.short == short:
                return group
        raise KeyError(short)

    def __repr__(self) -> str:
        return f"<regions: {', '.join(f'{g.short} {g.n}' for g in self.groups)}>"


class ChoiceResult:
    """One answer of a closed question: prints as the answer; `.count`, `.pct`, `.states`, `.answered`."""

    def __init__(self, choice: str, count: int, pct, states: StateList, answered: int):
        self.choice, self.count, self.pct, self.states, self.answered = choice, count, pct, states, answered

    def __str__(self) -> str:
        return self.choice

    def __repr__(self) -> str:
        return f"<answer {self.choice}: {self.count} of {self.answered}>"


class ChoiceList(list):
    """Answers of a question; prints as "networking, knowledge and partnerships"."""

    def __str__(self) -> str:
        from .filters import join_and

        return str(join_and(self))


class OtherText:
    """A State's text for its answer "other" (untrusted: printed escaped): `.state`, `.text`."""

    def __init__(self, state: State, text: str):
        self.state, self.text = state, text

    def __str__(self) -> str:
        return self.text


class OtherTexts(list):
    """The "other" texts of a question, by State name; prints as the texts in quotes, joined (then escaped)."""

    def __str__(self) -> str:
        from .filters import joined

        return joined([f"“{o.text}”" for o in self])

    @property
    def states(self) -> StateList:
        """The States that answered "other"."""
        return StateList(o.state for o in self)


class NumberView:
    """One number question's results in one round: `.answered`, `.min`, `.median`, `.max`, `.values`."""

    print_kind = "question"

    def __init__(self, key: str, data: dict, states: dict[str, State], question=None):
        self.key = key
        self.number = question.number if question else ""
        self.short = question.short if question else ""
        self.type = "number"
        self.answered = data["answered"]
        self.applicable = data["applicable"]
        self.blank = data["blank"]
        self.min, self.median, self.max = data["min"], data["median"], data["max"]
        self.values = dict(data["values"])
        self.states = state_list(self.values, states)
        self.min_states = state_list([s for s, v in self.values.items() if v == self.min], states)
        self.max_states = state_list([s for s, v in self.values.items() if v == self.max], states)

    @property
    def median_words(self) -> str:
        """The median as a reader says it: "seven", "four and a half"."""
        from .filters import number_words

        return "none" if self.median is None else number_words(self.median)

    def __repr__(self) -> str:
        return f"<question {self.key}: {self.answered} answers, median {self.median}>"


def question_view(key: str, data: dict, states: dict[str, State], question=None):
    """The view of a question's results that fits its type."""
    if "values" in data:
        return NumberView(key, data, states, question)
    return QuestionView(key, data, states, question)


class RoundView:
    """One round: `year`, `n`, `respondents`, `q.<key>`, `themes.<code>`, `sets.<key>`, `comments.<ISO3>.<key>`."""

    print_kind = "round"

    def __init__(self, name: str, data: dict, states: dict[str, State], questionnaire, region_names=None):
        self.year = name
        self.n = data["n"]
        self.respondents = state_list(data["respondents"], states)
        self.q = Bag(
            {k: question_view(k, v, states, questionnaire.questions.get(k)) for k, v in data["questions"].items()},
            f"questions of {name}",
        )
        self.themes = Bag({k: state_list(v, states) for k, v in data["themes"].items()}, f"themes of {name}")
        self.sets = Bag({k: state_list(v, states) for k, v in data["sets"].items()}, f"sets of {name}")
        self.comments = Bag(
            {code: Bag(texts, f"comments of {code} in {name}") for code, texts in data.get("comments", {}).items()},
            f"States with comments in {name}",
        )
        self.regions = RegionsView(data.get("regions", {}), data.get("sub_regions", {}), region_names or {}, states)

    def __repr__(self) -> str:
        return f"<round {self.year}: {self.n} respondents>"


def build_context(
    stats: dict, states: dict[str, State], questionnaire, paper: dict, charts: list, region_names: dict | None = None
) -> dict:
    """Everything a template may name; ``region_names``: region -> :class:`~surveypaper.regions.Region` (its article)."""
    rounds = {k: RoundView(k, v, states, questionnaire, region_names) for k, v in stats["rounds"].items()}
    changes = {
        key: Bag(
            {
                "answered_both": c["answered_both"],
                "no_to_yes": state_list(c["no_to_yes"], states),
                "yes_to_no": state_list(c["yes_to_no"], states),
            },
            f"changes of {key}",
        )
        for key, c in (stats.get("changes") or {}).get("questions", {}).items()
    }
    return {
        "paper": paper,
        "survey": rounds.get(stats["current"]),
        "previous": rounds.get(stats["previous"]) if stats.get("previous") else None,
        "rounds": rounds,
        "changes": Bag(changes, "changes"),
        "questionnaire": questionnaire.as_dict(),
        "charts": charts,
    }
