"""`paper preview`: the screen HTML on 127.0.0.1, re-rendered in-process on every save, the page reloading itself.

One Python process, no Snakemake: a watcher (watchfiles) sees a change under `templates/` or
`raw/`, :class:`Preview` redoes only what that change affects, and every open page, told by
server-sent events (`/events`), fetches the new page and swaps it in (no navigation; the scroll
position stays), or reloads if that fails.

What a change redoes:

- a template (`sections/*.md.j2`, layout, CSS): render the Markdown with the long-lived Jinja
  environment (only the edited template is recompiled) and build the screen HTML. Stats and
  charts are kept: a template edit never recomputes them.
- `templates/paper.yaml`: the same, plus the context (it carries the paper's metadata).
- anything in `raw/`: validate the responses, recompute the stats, redraw the charts (into a
  temporary folder), rebuild the context, render.

An error -- a template problem (file, line, "did you mean"), data that does not validate, a
rendering failure -- is shown in the page, above the last good paper, and the server keeps
running; the next good save replaces it. The reload script is added to the page as it is
served; nothing is written to `output/`.
"""

from __future__ import annotations

import html
import json
import shutil
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from .project import Paths, built_stats, project_paths, read_chart_manifest

__all__ = ["Preview", "inject", "serve"]

RELOAD_SCRIPT = """<script id="paper-preview">
(() => {
  // paper preview: on each new version, fetch the page and swap it in (no navigation, scroll kept);
  // fall back to a full reload if that fails.
  let version = %(version)d;
  let busy = false;
  const swap = async (next) => {
    busy = true;
    try {
      const response = await fetch(location.pathname, {cache: "no-store"});
      if (!response.ok) throw new Error(String(response.status));
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const x = window.scrollX, y = window.scrollY;
      document.title = doc.title;
      document.head.replaceWith(doc.head);
      document.body.replaceWith(doc.body);
      window.scrollTo(x, y);
      version = next;
      window.paperPreviewUpdatedAt = Date.now();
      document.dispatchEvent(new CustomEvent("paper-preview-updated", {detail: next}));
    } catch (err) {
      location.reload();
    } finally {
      busy = false;
    }
  };
  const events = new EventSource("/events");
  let pending = null;
  events.onmessage = async (e) => {
    const next = Number(e.data);
    if (next === version) return;
    pending = next;
    while (pending !== null && !busy) {
      const target = pending;
      pending = null;
      await swap(target);
    }
  };
})();
</script>
"""

ERROR_STYLE = (
    "position:sticky;top:0;z-index:1000;margin:0;padding:1em 1.5em;background:#fff4f4;color:#5c0000;"
    "border-bottom:3px solid #b00020;font:15px/1.45 system-ui,sans-serif;white-space:normal"
)
FINDINGS_STYLE = (
    "position:sticky;top:0;z-index:1000;margin:0;padding:1em 1.5em;background:#fffbe6;color:#4d3800;"
    "border-bottom:3px solid #c99a00;font:15px/1.45 system-ui,sans-serif;white-space:normal"
)


def inject(page: str, snippet: str) -> str:
    """Put snippet just before </body> (or at the end)."""
    at = page.lower().rfind("</body>")
    return page + snippet if at < 0 else page[:at] + snippet + page[at:]


class Preview:
    """The preview's state: cached stats, charts and context, the last page, its version."""

    def __init__(self, root: Path | str = ".", log=None):
        from .templating import make_env

        self.paths: Paths = project_paths(root)
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.env = make_env(self.paths.templates)
        self._tmp = Path(tempfile.mkdtemp(prefix="paper-preview-"))
        self.stats: dict | None = None
        self.charts_dir: Path | None = None
        self.manifest: list = []
        self.context: dict | None = None
        self._need_data = self._need_context = True  # until done without error
        self.page = ""  # the last good screen HTML (without the reload script)
        self.error: str | None = None  # plain text of the current error, or None
        self.error_where: str | None = None
        self.findings: list[str] = []  # `paper check` on the last good render (the build would stop on them)
        self._check_generation = 0
        self.version = int(time.time() * 1000)
        self.last_render_s = 0.0
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._busy = threading.Lock()  # one refresh at a time (the first one and the watcher's)
        self._watcher: threading.Thread | None = None

    # --- what a change redoes ---------------------------------------------------------------

    def load_data(self) -> None:
        """Stats of the last build if newer than raw/ (and its charts), else computed and drawn here."""
        from .project import computed_stats

        charts = self.paths.charts
        built = built_stats(self.paths)
        if built is not None and (charts / "charts.json").is_file():
            self.stats = built
            self.charts_dir, self.manifest = charts, read_chart_manifest(charts)
            return
        self.stats = built if built is not None else computed_stats(self.paths)
        self.draw_charts()

    def draw_charts(self) -> None:
        """Draw the charts of the current stats into the preview's temporary folder."""
        from . import questionnaire as qmod

        out = self._tmp / "charts"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        try:
            from .charts import draw_charts
        except ImportError:  # no chart module: the paper renders without Annex III figures
            self.charts_dir, self.manifest = out, []
            return
        manifest = draw_charts(self.stats, qmod.load(self.paths.raw / "questionnaire.yaml").as_dict(), out)
        (out / "charts.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        self.charts_dir, self.manifest = out, manifest

    def build_context(self) -> None:
        from .project import template_context

        self.context = template_context(self.stats, self.paths.raw, self.paths.templates, self.manifest)

    def render(self) -> str:
        """The screen HTML from the cached context (only edited templates are recompiled)."""
        from .document import build_html
        from .templating import markdown_from_context

        markdown = markdown_from_context(self.paths.templates, self.context, env=self.env)
        return build_html(
            markdown, self.context["paper"], self.charts_dir, "screen", templates_dir=self.paths.templates
        )

    def refresh(self, changed: set[Path] | None = None) -> None:
        """Redo what the changed files affect (None: everything), then tell the open pages."""
        with self._busy:
            self._refresh(changed)

    def _refresh(self, changed: set[Path] | None) -> None:
        from .errors import ValidationFailed
        from .template_errors import TemplateProblem

        started = time.perf_counter()
        changed = {Path(p).resolve() for p in changed} if changed is not None else None
        raw, templates = self.paths.raw.resolve(), self.paths.templates.resolve()
        if changed is None or any(p.is_relative_to(raw) for p in changed):
            self._need_data = True
        if self._need_data or (templates / "paper.yaml") in changed:
            self._need_context = True
        what = "everything" if changed is None else ", ".join(sorted(_short(p, self.paths.root) for p in changed))
        try:
            if self._need_data:
                self.load_data()
                self._need_data = False
            if self._need_context:
                self.build_context()
                self._need_context = False
            page = self.render()
        except TemplateProblem as problem:
            self._fail(str(problem), problem.where)
        except ValidationFailed as exc:
            self._fail(f"The data in raw/ does not validate:\n\n{exc}", "raw/")
        except Exception as exc:
            self._fail(f"{type(exc).__name__}: {exc}", None)
        else:
            with self._lock:
                self.page, self.error, self.error_where = page, None, None
            self.last_render_s = time.perf_counter() - started
            self.log(f"paper preview: rendered in {self.last_render_s:.2f} s ({what})")
            self._start_check()
        self._bump()

    def _start_check(self) -> None:
        """Run `paper check` on the new render beside the preview; its findings are shown above the paper."""
        with self._lock:
            self._check_generation += 1
            generation, context = self._check_generation, self.context

        def check() -> None:
            from .checks import check_templates

            try:
                found = [str(f) for f in check_templates(self.paths.templates, context, self.paths.raw)]
            except Exception as exc:  # the render succeeded: the check's own failure is only reported
                found = [f"paper check could not run: {type(exc).__name__}: {exc}"]
            with self._lock:
                if generation != self._check_generation:
                    return  # a newer save is being checked
                changed, self.findings = found != self.findings, found
            if changed:
                for line in found:
                    self.log(f"paper check: {line}")
                self._bump()

        threading.Thread(target=check, name="paper-preview-check", daemon=True).start()

    def _fail(self, message: str, where: str | None) -> None:
        with self._lock:
            self.error, self.error_where = message, where
        self.log(f"paper preview: {message}")

    def _bump(self) -> None:
        with self._changed:
            self.version = max(self.version + 1, int(time.time() * 1000))
            self._changed.notify_all()

    # --- what the server sends --------------------------------------------------------------

    def current_page(self) -> str:
        """The page to serve: the paper (or the error above the last good paper) with the reload script."""
        with self._lock:
            page, error, where, version = self.page, self.error, self.error_where, self.version
            findings = list(self.findings)
        script = RELOAD_SCRIPT % {"version": version}
        if error is None and findings and page:
            at = page.lower().find("<body")
            at = page.find(">", at) + 1 if at >= 0 else 0
            return inject(page[:at] + self._findings_banner(findings) + page[at:], script)
        if error is not None:
            banner = self._error_banner(error, where)
            if page:
                at = page.lower().find("<body")
                at = page.find(">", at) + 1 if at >= 0 else 0
                return inject(page[:at] + banner + page[at:], script)
            return (
                '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Preview: error</title></head>'
                f"<body>{banner}{script}</body></html>"
            )
        return inject(page, script)

    def _findings_banner(self, findings: list[str]) -> str:
        items = "".join(f"<li>{html.escape(f)}</li>" for f in findings)
        return (
            f'<div id="paper-preview-findings" role="status" style="{FINDINGS_STYLE}">'
            f"<strong>paper check: {len(findings)} finding{'s' if len(findings) != 1 else ''}.</strong> "
            "The build would stop on these; the paper below is rendered anyway."
            f'<ul style="font:14px/1.4 ui-monospace,monospace;margin:.6em 0 0">{items}</ul></div>'
        )

    def _error_banner(self, error: str, where: str | None) -> str:
        snippet = ""
        if where and ":" in where:
            path, _, line = where.rpartition(":")
            snippet = _source_excerpt(self.paths.root / path, int(line)) if line.isdigit() else ""
        return (
            f'<div id="paper-preview-error" role="alert" style="{ERROR_STYLE}">'
            "<strong>The paper could not be rendered.</strong> Fix this and save; the page updates by itself."
            f'<pre style="white-space:pre-wrap;font:14px/1.4 ui-monospace,monospace;margin:.6em 0 0">{html.escape(error)}</pre>'
            f"{snippet}</div>"
        )

    def wait_for_change(self, version: int | None, timeout: float) -> int:
        """Block until the version differs from `version` (or timeout); return the current version."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != version or self._stop.is_set(), timeout=timeout)
            return self.version

    # --- watching ---------------------------------------------------------------------------

    def watch(self, timeout: float = 10) -> None:
        """Start the watcher thread (templates/ and raw/); return once it watches."""
        ready = threading.Event()
        self._watcher = threading.Thread(target=self._watch, args=(ready,), name="paper-preview-watch", daemon=True)
        self._watcher.start()
        ready.wait(timeout)

    def _watch(self, ready: threading.Event) -> None:
        from watchfiles import watch

        folders = [p for p in (self.paths.templates, self.paths.raw) if p.exists()]
        # step: yield 20 ms after the last event of a save; the empty yield on timeout says "watching".
        for changes in watch(
            *folders,
            stop_event=self._stop,
            step=20,
            debounce=400,
            rust_timeout=100,
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            ready.set()
            if changes:
                self.refresh({Path(path) for _, path in changes})

    def close(self) -> None:
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        if self._watcher is not None:
            self._watcher.join(timeout=2)
        shutil.rmtree(self._tmp, ignore_errors=True)


def _short(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _source_excerpt(path: Path, line: int, around: int = 2) -> str:
    """The template lines around `line`, the faulty one marked."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    rows = []
    for n in range(max(1, line - around), min(len(lines), line + around) + 1):
        mark = "&gt;" if n == line else "&nbsp;"
        style = "background:#ffd7d7;" if n == line else ""
        rows.append(f'<div style="{style}">{mark} {n:4d} | {html.escape(lines[n - 1])}</div>')
    return (
        f'<div style="font:13px/1.4 ui-monospace,monospace;white-space:pre-wrap;margin-top:.6em">{"".join(rows)}</div>'
    )


class _Handler(BaseHTTPRequestHandler):
    preview: Preview  # set on the subclass made by make_server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        path = urlsplit(self.path).path
        if path in ("/", "/index.html", "/working_paper.html"):
            self._send(200, "text/html; charset=utf-8", self.preview.current_page().encode("utf-8"))
        elif path == "/version":
            p = self.preview
            body = json.dumps(
                {"version": p.version, "error": p.error, "findings": p.findings, "render_s": p.last_render_s}
            )
            self._send(200, "application/json", body.encode("utf-8"))
        elif path == "/events":
            self._events()
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found: the preview serves / only\n")

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        sent = None
        try:
            self.wfile.write(b"retry: 300\n\n")
            while not self.preview._stop.is_set():
                version = self.preview.wait_for_change(sent, timeout=15)
                if version != sent:
                    self.wfile.write(f"data: {version}\n\n".encode())
                    sent = version
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


def make_server(preview: Preview, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """An HTTP server for this preview (port 0: any free port)."""
    handler = type("Handler", (_Handler,), {"preview": preview})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve(root: Path | str = ".", port: int = 8000, ready=None) -> None:
    """Render, watch and serve until interrupted; `ready(url)` is called once the server listens."""
    preview = Preview(root)
    preview.watch()  # first, so a save during the first render is not missed
    preview.refresh()
    server = make_server(preview, port)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    (ready or (lambda u: print(f"paper preview: {u}  (watching templates/ and raw/; Ctrl-C stops)", flush=True)))(url)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        preview.close()
        server.server_close()
