"""The build's console: one line per step, and on failure only the project's own report.

A Snakemake logger plugin (Snakemake 9's logging interface), selected by the workflow's profile
(`logger: [surveypaper]` in profiles/default/config.yaml). It replaces Snakemake's console
output, not its log: everything, stack traces included, still goes to `.snakemake/log/*.log`.

While the build runs it prints one line per step (`[3/9] render_paper`). A step that stops
the build has already written the project's report (a problem table, `file:line: message`) to
stderr; this plugin then prints one line naming the step and the log, and none of Snakemake's
RuleException, "Error in rule", input lists or WorkflowError. An error that is not the
project's (a crash, a broken Snakefile) is shown by its message, without the traceback.
A dry run (`-n`) and `SURVEYPAPER_CONSOLE=snakemake` print Snakemake's own console instead.
"""

from __future__ import annotations

import logging
import os
import re
import sys

from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.common import LogEvent

#: Set to "snakemake" for Snakemake's own console (every message, as without this plugin).
FULL_CONSOLE_ENV = "SURVEYPAPER_CONSOLE"
#: The workflow's default target rule: not a step.
TARGET = "all"
#: The exception a step raises after writing its report (surveypaper.pipeline.BuildStopped).
STOPPED = "BuildStopped"


class LogHandler(LogHandlerBase):
    """One line per step; on failure the project's report (printed by the step) and the log's path."""

    def __post_init__(self) -> None:
        self.stream = sys.stdout if getattr(self.common_settings, "stdout", False) else sys.stderr
        # A dry run shows Snakemake's plan, and SURVEYPAPER_CONSOLE=snakemake its whole console.
        self.passthrough = None
        if getattr(self.common_settings, "dryrun", False) or os.environ.get(FULL_CONSOLE_ENV) == "snakemake":
            from snakemake.logging import DefaultFilter, DefaultFormatter

            settings = self.common_settings
            self.passthrough = (
                DefaultFilter(
                    settings.quiet, settings.debug_dag, settings.verbose, settings.dryrun, settings.printshellcmds
                ),
                DefaultFormatter(settings.quiet, settings.show_failed_logs),
            )
        self.total = 0
        self.started = 0
        self.failed_rules: list[str] = []
        self.stopped = False  # a step reported its own problem
        self.error_shown = False

    # This handler is the console: Snakemake adds no stream handler of its own beside it.
    @property
    def writes_to_stream(self) -> bool:
        return True

    @property
    def writes_to_file(self) -> bool:
        return False

    @property
    def has_filter(self) -> bool:
        return True

    @property
    def has_formatter(self) -> bool:
        return True

    @property
    def needs_rulegraph(self) -> bool:
        return False

    def _say(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.passthrough is not None:
                keep, formatter = self.passthrough
                if keep.filter(record):
                    text = formatter.format(record)
                    if text:
                        self._say(text)
                return
            self._emit(record)
        except Exception:  # the console must never break the build
            self.handleError(record)

    def _emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "event", None)
        message = str(record.msg) if record.msg is not None else ""
        if event == LogEvent.RUN_INFO:
            m = re.search(r"^total\s+(\d+)\s*$", message, re.M)
            if m:
                target = re.search(rf"^{TARGET}\s+(\d+)\s*$", message, re.M)
                self.total = int(m.group(1)) - (int(target.group(1)) if target else 0)
            return
        if event == LogEvent.JOB_INFO:
            if getattr(record, "rule_name", None) == TARGET:
                return  # the default target does nothing of its own
            self.started += 1
            of = f"/{self.total}" if self.total else ""
            self._say(f"[{self.started}{of}] {getattr(record, 'rule_name', '') or message.strip()}")
            return
        if event == LogEvent.JOB_ERROR:
            self.failed_rules.append(str(getattr(record, "rule_name", "") or "?"))
            return
        if event == LogEvent.ERROR or record.levelno >= logging.ERROR:
            self._error(message)
            return
        if record.levelno == logging.WARNING:
            self._say(message)
            return
        if message.startswith("Nothing to be done"):
            self._say("Nothing to be done: output/ is up to date.")
        elif message.startswith("Complete log(s):"):
            self._finish(message.split(":", 1)[1].strip())

    def _error(self, message: str) -> None:
        if STOPPED in message:
            self.stopped = True  # the step printed the project's report already
            return
        if self.stopped or re.match(r"(WorkflowError:\s*)?At least one job did not complete", message):
            return
        if message.startswith("Exiting because a job execution failed"):
            return
        # not the project's own report: its message, without the traceback lines
        lines = [line for line in message.splitlines() if line.strip() and not line.startswith("  File ")]
        if lines and not self.error_shown:
            self._say("\n".join(lines))
            self.error_shown = True

    def _finish(self, logs: str) -> None:
        failed = bool(self.failed_rules or self.stopped or self.error_shown)
        if not failed:
            if self.started:
                self._say(
                    f"Done: {self.started} step{'s' if self.started != 1 else ''} ran; output/ holds the new paper."
                )
            return
        shown = ", ".join(_relative(p.strip()) for p in logs.split(",") if p.strip())
        where = f" at {', '.join(dict.fromkeys(self.failed_rules))}" if self.failed_rules else ""
        self._say(f"The build stopped{where}. Snakemake's own log, with its traces: {shown}")


def _relative(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path
