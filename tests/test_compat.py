"""Canaries: each reliance on another library's internals (the compat modules) still holds.

Each test fails when the library changes under the build; the build itself stays correct then
(each compat module has its fallback), only slower or less precise, until the compat module is
brought up to date.
"""

from __future__ import annotations

import threading

import pytest
from surveypaper import compat_jinja, compat_snakemake, compat_weasyprint

# --- Snakemake ---------------------------------------------------------------------------------


def test_snakemake_scheduler_still_starts_its_timers_where_we_cancel_them():
    from snakemake.scheduling.job_scheduler import JobScheduler

    assert hasattr(JobScheduler, compat_snakemake.TIMER_METHOD)
    assert JobScheduler.__module__.startswith(compat_snakemake.TIMER_MODULE)

    class Scheduler:  # what the method touches of its scheduler
        _open_jobs = threading.Semaphore(0)

    getattr(JobScheduler, compat_snakemake.TIMER_METHOD)(Scheduler(), 600)  # a timer of ten minutes
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer) and t.is_alive()]
    assert timers and not all(t.daemon for t in timers)  # it would keep the process alive
    assert compat_snakemake.stop_rescheduling_timers() >= 1
    for t in timers:
        t.join(5)
    assert not any(t.is_alive() for t in timers)


def test_other_timers_are_left_alone():
    timer = threading.Timer(600, lambda: None)
    timer.start()
    try:
        compat_snakemake.stop_rescheduling_timers()
        assert timer.is_alive()
    finally:
        timer.cancel()


def test_snakemake_dag_still_lists_the_jobs_to_run():
    import inspect

    import snakemake.api  # noqa: F401  (snakemake.dag alone is a circular import)
    from snakemake.dag import DAG

    params = list(inspect.signature(DAG.needrun_jobs).parameters.values())[1:]
    assert all(p.default is not inspect.Parameter.empty for p in params)


def test_rules_to_run_falls_back_to_all_when_the_dag_is_not_there():
    class Workflow:
        dag = None

    assert compat_snakemake.rules_to_run(Workflow()) is None


def _snakemake_parser():
    from snakemake.cli import get_argument_parser

    return get_argument_parser()


def test_snakemake_options_that_build_nothing_still_exist():
    options = {o for a in _snakemake_parser()._actions for o in a.option_strings}
    assert options >= compat_snakemake.NOT_A_BUILD, sorted(compat_snakemake.NOT_A_BUILD - options)


def test_snakemake_one_letter_options_are_as_we_read_them():
    short = {a.option_strings[0][1]: a for a in _snakemake_parser()._actions for o in a.option_strings if len(o) == 2}
    short = {o[1]: a for a in _snakemake_parser()._actions for o in a.option_strings if len(o) == 2}
    with_value = {letter for letter, a in short.items() if a.nargs != 0}
    assert with_value == set(compat_snakemake.SHORT_WITH_VALUE)
    not_building = {"dryrun", "list_rules", "touch", "summary", "detailed_summary", "help", "version"}
    assert {letter for letter, a in short.items() if a.dest in not_building} == set(compat_snakemake.NOT_A_BUILD_SHORT)


@pytest.mark.parametrize(
    ("argv", "builds"),
    [
        (["snakemake", "--cores", "all"], True),
        (["/x/bin/snakemake", "-c4", "-p"], True),
        (["/x/snakemake/__main__.py", "--cores", "1", "output/.build/stats.json"], True),
        (["snakemake", "-n"], False),
        (["snakemake", "-np"], False),
        (["snakemake", "-pn", "--cores", "1"], False),
        (["snakemake", "--dry-run"], False),
        (["snakemake", "--lint"], False),
        (["snakemake", "--unlock"], False),
        (["snakemake", "--lint=json"], False),
        (["snakemake", "-c", "4", "--list-rules"], False),
        (["snakemake", "-sSnakefile.dev"], True),  # the n of a value is not -n
        (["snakemake", "--config", "name=-n"], True),
        (["pytest", "-n"], True),  # not Snakemake's command line: a build, as before
    ],
)
def test_build_will_run(argv, builds):
    assert compat_snakemake.build_will_run(argv) is builds


# --- WeasyPrint --------------------------------------------------------------------------------


def test_weasyprint_still_makes_charts_as_we_remake_them(tmp_path):
    """A stand-in laid out ahead is an SVGImage carrying its fetcher and context: the layout made ahead is used."""
    from surveypaper.document import TEMPLATES_DIR, charts_href
    from surveypaper.pdf import layout_pdf, write_pdf

    charts = tmp_path / "charts"
    charts.mkdir()
    href = charts_href(charts, TEMPLATES_DIR)
    page = f'<html lang="en"><head><title>t</title></head><body><h1>t</h1><img src="{href}a.svg" alt="a"></body></html>'
    layout = layout_pdf(page, TEMPLATES_DIR, charts={str(charts / "a.svg"): [120.0, 60.0]}, allowed_dirs=[charts])
    (image,) = layout.stand_ins.values()
    assert all(hasattr(image, a) for a in compat_weasyprint.PRIVATE_ATTRIBUTES)
    (charts / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="120pt" height="60pt"/>')
    write_pdf(page, tmp_path / "p.pdf", TEMPLATES_DIR, allowed_dirs=[charts], layout=layout)
    assert layout.outcome == "used"


def test_redrawn_says_why_not_for_anything_but_an_svg_image():
    drawn, why = compat_weasyprint.redrawn(object(), None, "file:///x.svg")
    assert drawn is None and "made a object" in why


# --- Jinja -------------------------------------------------------------------------------------


class Missing(Exception):
    pass


def _raise(undefined):
    _message, name, _obj, _hint = compat_jinja.what_is_undefined(undefined)
    raise Missing(name)


@pytest.mark.parametrize(
    "source",
    [
        "{{ nope }}",
        "{{ nope ~ 'x' }}",
        "{% for x in nope %}{% endfor %}",
        "{{ nope + 1 }}",
        "{{ nope | length }}",
        "{% if nope == 1 %}{% endif %}",
        "{{ nope.attr }}",
        "{{ nope[0] }}",
        "{% if nope %}{% endif %}",
    ],
)
def test_jinja_undefined_fails_through_our_hook_everywhere(source):
    import jinja2

    env = jinja2.Environment(undefined=compat_jinja.strict_undefined("U", _raise))
    with pytest.raises(Missing, match="nope"):
        env.from_string(source).render()


def test_jinja_still_has_the_private_names_we_read():
    from jinja2 import Undefined

    assert callable(getattr(Undefined, compat_jinja.FAIL_METHOD, None))
    u = Undefined(hint=None, obj={"a": 1}, name="b")
    message, name, obj, _hint = compat_jinja.what_is_undefined(u)
    assert (name, obj) == ("b", {"a": 1}) and "b" in message
