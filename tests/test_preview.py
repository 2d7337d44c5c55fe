"""`paper preview`: in-process re-render of only what changed, errors in the page, and a real browser.

The browser test drives Debian's Chromium (/usr/bin/chromium) through its chromedriver with
Selenium: open the page, edit a template in a tmp copy of the repository, and see the change
arrive without reloading by hand.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import copy_repo
from surveypaper.preview import Preview, make_server

ROOT = Path(__file__).resolve().parents[1]
SECTION = "templates/sections/02_conceptual_framework.md.j2"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A tmp copy of the repository (no output/: the preview computes stats and draws charts once)."""
    return copy_repo(tmp_path_factory.mktemp("preview") / "repo")


class Edit:
    """Edit a file of the tmp repository and put it back afterwards."""

    def __init__(self, path: Path):
        self.path, self.original = path, path.read_text(encoding="utf-8")

    def write(self, text: str) -> None:
        self.path.write_text(text, encoding="utf-8")

    def append(self, line: str) -> None:
        self.write(self.original + f"\n{line}\n")

    def restore(self) -> None:
        self.write(self.original)


@pytest.fixture
def section(repo):
    edit = Edit(repo / SECTION)
    yield edit
    edit.restore()


@pytest.fixture(scope="module")
def preview(repo):
    p = Preview(repo, log=lambda msg: None)
    p.refresh()
    yield p
    p.close()


# --- what a change redoes ------------------------------------------------------------------------


def test_first_render_has_the_paper_and_the_reload_script(preview):
    page = preview.current_page()
    assert preview.error is None
    assert "POLICY AND INSTITUTIONAL COHERENCE" in page.upper()
    assert 'id="paper-preview"' in page and 'new EventSource("/events")' in page
    assert "data:image/svg+xml" in page  # the charts, drawn once at start


def test_template_edit_redoes_neither_stats_nor_charts(preview, section, monkeypatch):
    calls = []
    monkeypatch.setattr(preview, "load_data", lambda: calls.append("load_data"))
    monkeypatch.setattr(preview, "draw_charts", lambda: calls.append("draw_charts"))
    context = preview.context
    section.append("A sentence added by the test.")
    before = preview.version
    preview.refresh({section.path})
    assert calls == [] and preview.context is context
    assert preview.version != before
    assert "A sentence added by the test." in preview.current_page()


def test_raw_edit_recomputes_the_data(preview, repo, monkeypatch):
    calls = []
    original = preview.load_data
    monkeypatch.setattr(preview, "load_data", lambda: (calls.append(1), original()))
    preview.refresh({repo / "raw/themes.yaml"})
    assert calls == [1] and preview.error is None


def test_template_error_shows_in_the_page_and_clears(preview, section):
    section.append("{{ survey.q.national_plnn.yes }} States agree.")
    preview.refresh({section.path})
    page = preview.current_page()
    assert preview.error is not None
    assert 'id="paper-preview-error"' in page
    assert f"{SECTION}:" in page and "Did you mean `national_plan`" in page
    assert 'new EventSource("/events")' in page  # it will reload itself once fixed
    section.restore()
    preview.refresh({section.path})
    assert preview.error is None and 'id="paper-preview-error"' not in preview.current_page()


def wait_for(condition, timeout: float = 60) -> bool:
    """Poll until condition() holds (the check runs beside the preview); never a timing assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_check_findings_show_above_the_paper_and_clear(preview, section):
    """A draft that renders but that `paper check` (hence the build) would stop on says so in the preview."""
    section.append("Fifty-three States agree with the **{{ survey.q.national_plan.states_yes[:0] | join(', ') }}**.")
    preview.refresh({section.path})
    assert preview.error is None
    assert wait_for(lambda: len(preview.findings) >= 2), preview.findings
    page = preview.current_page()
    assert 'id="paper-preview-findings"' in page and "Fifty-three States" in page and "****" in page
    section.restore()
    preview.refresh({section.path})
    assert wait_for(lambda: preview.findings == [])
    assert 'id="paper-preview-findings"' not in preview.current_page()


def test_data_error_shows_in_the_page(preview, repo):
    response = next((repo / "raw/responses").glob("2008/*.yaml"))
    edit = Edit(response)
    try:
        edit.write(edit.original.replace("answers:", "answerz:", 1))
        preview.refresh({response})
        assert preview.error is not None and "does not validate" in preview.error
        assert response.name in preview.current_page()
        preview.refresh({repo / SECTION})  # a template save does not hide bad data
        assert preview.error is not None and "does not validate" in preview.error
    finally:
        edit.restore()
        preview.refresh({response})
    assert preview.error is None


def test_server_serves_the_page_and_events(preview):
    server = make_server(preview, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        assert 'id="paper-preview"' in page
        with urllib.request.urlopen(url + "events", timeout=10) as events:
            assert events.headers["Content-Type"] == "text/event-stream"
            lines = [events.readline().decode().strip() for _ in range(3)]
        assert f"data: {preview.version}" in lines
        assert urllib.request.urlopen(url + "version", timeout=10).status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_nothing_is_written_to_output(repo, preview):
    assert not (repo / "output").exists() or not any((repo / "output").rglob("*.html"))


# --- in a real browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(repo):
    """`paper preview --port 0` in its own process, as an editor runs it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "surveypaper.cli", "preview", "--port", "0", "--root", str(repo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert "http://127.0.0.1:" in line, proc.stderr.read() if proc.poll() is not None else line
    yield line.split()[2]
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    yield driver
    driver.quit()


def wait_text(driver, text: str, timeout: float = 15) -> float:
    """Seconds until the page's text contains `text` (fails after timeout)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if driver.execute_script("return document.body ? document.body.innerText : ''").find(text) >= 0:
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"the page never showed {text!r}")


def test_browser_shows_an_edit_without_a_manual_reload(server, browser, section):
    browser.get(server)
    wait_text(browser, "CONCEPTUAL FRAMEWORK")
    browser.execute_script("window.loadedOnce = true;")  # survives a DOM swap, not a reload by hand
    section.append("Editors see this sentence without reloading the page.")
    seconds = wait_text(browser, "Editors see this sentence without reloading the page.")
    assert seconds < 5
    assert browser.current_url == server
    assert browser.execute_script("return window.loadedOnce === true")


def test_browser_shows_a_template_error_with_file_and_line_then_the_fix(server, browser, section):
    browser.get(server)
    wait_text(browser, "CONCEPTUAL FRAMEWORK")
    section.append("{{ survey.q.national_plnn.yes }} States agree.")
    line = len(section.original.splitlines()) + 2
    wait_text(browser, f"{SECTION}:{line}:")
    assert "Did you mean `national_plan`" in browser.execute_script("return document.body.innerText")
    section.append("The error is fixed now.")
    wait_text(browser, "The error is fixed now.")
    assert browser.execute_script("return document.getElementById('paper-preview-error')") is None
