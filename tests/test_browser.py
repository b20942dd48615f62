"""The built website, as a reader sees it: headless Chromium opens every page over HTTP.

The site (tests/sitebuild.py: what the release workflow's dry run assembles, this version plus a
stand-in older version) is served on 127.0.0.1 by ``http.server`` in a thread. Chromium (Debian's ``chromium``; ``.ci/run`` installs it) runs headless
with a fresh profile and is driven through the Chrome DevTools protocol over a pipe
(``--remote-debugging-pipe``: NUL-separated JSON on file descriptors 3 and 4), so no websocket
client or other package is needed. For every page of ``_toc.yml`` the test checks that

* every ``<img>`` has loaded with a non-zero natural size, and each chapter shows at least as many
  images as its notebook has image outputs (its figures);
* the version switcher lists exactly the versions of ``switcher.json``, newest first, and marks
  the current one; the old-version banner is hidden on the latest version;
* the footer names the version and the commit; each chapter has its download button and a Binder
  button that opens the release tag of the built version in the (stand-in) repository;
* every formula is typeset by the site's own MathJax; the page requests nothing outside the site
  and logs no console error or exception (it reads offline, and works);
* no table is wider than the article's column and no table cell is cut ("..."); a chapter's first
  screen shows a result and no code;

and, on the older version, that the banner points to the latest and the switcher takes the reader
to the same page of another version. A screenshot of every page is kept under
``_build/test-artifacts/browser/`` (``$PEBENCH_TEST_ARTIFACTS`` moves it).

Skips only when no Chromium binary is found (``$CHROMIUM``, else ``chromium`` on the PATH); a
Chromium that is there but does not work fails the test.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import http.server
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from sitebuild import ROOT, TEST_REPOSITORY, SiteBuild, built_site
from test_book import TOC_FILES, source_of

pytestmark = [pytest.mark.book, pytest.mark.browser]

ARTIFACTS = Path(os.environ.get("PEBENCH_TEST_ARTIFACTS", ROOT / "_build" / "test-artifacts")) / "browser"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)
VIEWPORT = {"width": 1280, "height": 900}
MAX_SCREENSHOT_HEIGHT = 6000
TIMEOUT_S = 60
# What Chromium answers when the page navigates while an evaluation runs (retried by ``wait_for``).
NAVIGATION_ERRORS = ("Inspected target navigated or closed", "Execution context was destroyed", "Cannot find context")


def find_chromium() -> str | None:
    if os.environ.get("CHROMIUM"):
        return shutil.which(os.environ["CHROMIUM"]) or os.environ["CHROMIUM"]
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


class BrowserError(RuntimeError):
    pass


class Chromium:
    """Headless Chromium driven over ``--remote-debugging-pipe`` (CDP messages ending in NUL)."""

    def __init__(self, binary: str, profile: Path, log_path: Path) -> None:
        # Our ends and Chromium's ends, duplicated above 10 so that the shell's "3<&N 4>&M" below
        # cannot overwrite one of them before it is used.
        to_chrome_read, to_chrome_write = os.pipe()
        from_chrome_read, from_chrome_write = os.pipe()
        child_in = fcntl.fcntl(to_chrome_read, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(from_chrome_write, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        self._log = open(log_path, "wb")  # noqa: SIM115 - kept open for Chromium's lifetime, closed in close()
        command = [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={VIEWPORT['width']},{VIEWPORT['height']}",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            # bash, not sh: dash refuses file descriptors above 9 in redirections.
            [shutil.which("bash") or "/bin/bash", "-c", f'exec "$@" 3<&{child_in} 4>&{child_out}', "bash", *command],
            pass_fds=(child_in, child_out),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        os.close(child_in)
        os.close(child_out)
        self._write, self._read = to_chrome_write, from_chrome_read
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.log_path = log_path

    # -- protocol ---------------------------------------------------------------------------------
    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._read], [], [], remaining)
            if ready:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium closed the pipe (exit {self.process.poll()}):\n{self.log_tail()}")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = TIMEOUT_S,
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def log_tail(self, size: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_bytes()[-size:].decode(errors="replace")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close", timeout=10)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        for fd in (self._write, self._read):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._log.close()

    # -- a page -----------------------------------------------------------------------------------
    def new_page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.send("Page.enable")
        page.send("Runtime.enable")
        page.send("Network.enable")
        page.send("Log.enable")
        page.send("Emulation.setDeviceMetricsOverride", {**VIEWPORT, "deviceScaleFactor": 1, "mobile": False})
        return page


class Page:
    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser, self.session = browser, session

    def send(self, method: str, params: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session, **kwargs)

    def events_since(self, start: int, *methods: str) -> list[dict[str, Any]]:
        """This page's protocol events of the given kinds received after event number ``start``."""
        return [
            event
            for event in self.browser.events[start:]
            if event.get("sessionId") == self.session and event.get("method") in methods
        ]

    def evaluate(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression[:80]}...: {reply['exceptionDetails'].get('text')}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, what: str, timeout: float = TIMEOUT_S) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except BrowserError as error:
                # A click that navigates can destroy the page's context while an evaluation runs:
                # that answer means "not yet", the next poll runs in the new page.
                if not any(sign in str(error) for sign in NAVIGATION_ERRORS):
                    raise
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what} on {self.evaluate('location.href')}")
            time.sleep(0.2)

    def open(self, url: str) -> None:
        reply = self.send("Page.navigate", {"url": url})
        if reply.get("errorText"):
            raise BrowserError(f"cannot open {url}: {reply['errorText']}")
        self.wait_for(f"location.href === {json.dumps(url)} && document.readyState === 'complete'", f"{url} to load")

    def screenshot(self, path: Path) -> None:
        """The whole page (up to ``MAX_SCREENSHOT_HEIGHT`` pixels): the viewport is stretched to the
        page's height for the shot (a clip beyond the viewport shifts sticky sidebars), then restored."""
        height = self.evaluate("document.documentElement.scrollHeight")
        height = min(max(int(height), VIEWPORT["height"]), MAX_SCREENSHOT_HEIGHT)
        metrics = {"width": VIEWPORT["width"], "deviceScaleFactor": 1, "mobile": False}
        self.send("Emulation.setDeviceMetricsOverride", {**metrics, "height": height})
        try:
            self.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
            shot = self.send("Page.captureScreenshot", {"format": "png"})
        finally:
            self.send("Emulation.setDeviceMetricsOverride", {**metrics, "height": VIEWPORT["height"]})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))


# -- fixtures ---------------------------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def website(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    return built_site(tmp_path_factory)


@pytest.fixture(scope="module")
def server(website: SiteBuild) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(website.site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    binary = find_chromium()
    if binary is None:
        pytest.skip(
            "no Chromium found ($CHROMIUM, or chromium on the PATH): install Debian's chromium "
            "(apt-get install chromium), as .ci/run does"
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pebench-chromium-") as profile:
        chromium = Chromium(binary, Path(profile), ARTIFACTS / "chromium.log")
        try:
            chromium.send("Browser.getVersion", timeout=TIMEOUT_S)
        except BrowserError as error:
            chromium.close()
            pytest.fail(f"Chromium ({binary}) does not start: {error}")
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(browser: Chromium) -> Page:
    return browser.new_page()


# -- checks -----------------------------------------------------------------------------------------
IMAGES_JS = """(async () => {
  const images = [...document.images];
  images.forEach((img) => { if (img.loading === "lazy") img.loading = "eager"; });
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
  return images.map((img) => ({src: img.getAttribute("src"), complete: img.complete,
                               width: img.naturalWidth, height: img.naturalHeight}));
})()"""
SWITCHER_JS = """(() => {
  const items = [...document.querySelectorAll(".version-switcher__menu a")];
  const menus = document.querySelectorAll(".version-switcher__menu").length;
  if (!items.length) return null;
  const first = [...document.querySelectorAll(".version-switcher__menu")][0];
  return {
    versions: [...first.querySelectorAll("a")].map((a) => a.dataset.version),
    active: [...first.querySelectorAll("a.active")].map((a) => a.dataset.version),
    button: document.querySelector(".version-switcher__button").innerText.trim(),
    menus: menus,
  };
})()"""
BANNER_JS = """(() => {
  const banner = document.querySelector("#bd-header-version-warning");
  if (!banner) return {exists: false};
  const link = banner.querySelector("a.pst-button-link-to-stable-version");
  return {exists: true, hidden: banner.classList.contains("d-none"), text: banner.innerText,
          link: link ? link.href : null};
})()"""


# Formulas: every math element the page has is typeset by MathJax (its own copy, in _static/), with
# no error. ``null`` while MathJax is still at work.
MATH_JS = """(() => {
  const math = [...document.querySelectorAll("span.math, div.math")];
  if (!math.length) return {count: 0, errors: 0};
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return null;
  return MathJax.startup.promise.then(() => ({
    count: math.length,
    raw: math.filter((m) => !m.querySelector("mjx-container")).map((m) => m.textContent.slice(0, 60)),
    errors: document.querySelectorAll("mjx-merror").length,
  }));
})()"""
# Layout of the article: tables wider than the article's column, cells pandas truncated ("..."), code
# inputs in view on the first screen (the first VIEWPORT height of the page), and where the first
# result (a figure, a table or printed text) starts.
LAYOUT_JS = """(() => {
  const article = document.querySelector("article.bd-article");
  const column = article.clientWidth;
  const wide = [...article.querySelectorAll("table")]
    .filter((t) => t.scrollWidth > column + 1)
    .map((t) => `${t.scrollWidth}px > ${column}px: ${t.innerText.slice(0, 60)}`);
  const truncated = [...article.querySelectorAll(".cell_output td, .cell_output th, .output td, .output th")]
    .map((c) => c.innerText.trim()).filter((text) => text.endsWith("...") || text.endsWith("…"));
  const firstScreen = [...article.querySelectorAll(".cell_input")]
    .filter((c) => !c.closest("details:not([open])") && c.getBoundingClientRect().top < window.innerHeight)
    .map((c) => c.innerText.slice(0, 60));
  // A result is a cell's output, or a computed output glued into the prose (a results box).
  const result = [...article.querySelectorAll(".cell_output, .output")]
    .find((o) => o.querySelector("img, table") || o.innerText.trim());
  const firstResult = result ? Math.round(result.getBoundingClientRect().top) : null;
  return {wide, truncated, firstScreen, firstResult};
})()"""


def switcher_versions(website: SiteBuild) -> list[str]:
    return [entry["version"] for entry in json.loads((website.site / "switcher.json").read_text())]


def image_outputs(doc: str) -> int:
    """How many image outputs (figures) the page's notebook has; 0 for a Markdown page."""
    source = source_of(doc)
    if source is None or source.suffix != ".ipynb":
        return 0
    nb = nbformat.read(source, as_version=4)
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if any(mime.startswith("image/") for mime in output.get("data", {}))
    )


@pytest.mark.parametrize("doc", TOC_FILES)
def test_page_as_a_reader_sees_it(website: SiteBuild, server: str, page: Page, doc: str) -> None:
    url = f"{server}/{website.version}/{doc}.html"
    start = len(page.browser.events)
    page.open(url)
    page.evaluate("window.scrollTo(0, 0)")
    layout = page.evaluate(LAYOUT_JS)
    page.screenshot(ARTIFACTS / website.version / f"{doc.replace('/', '__')}.png")

    math = page.wait_for(MATH_JS, "the formulas to be typeset")
    assert not math.get("raw") and not math["errors"], f"{doc}: formulas not rendered: {math}"
    assert not layout["wide"], f"{doc}: tables wider than the page's column: {layout['wide']}"
    assert not layout["truncated"], f"{doc}: truncated table cells: {layout['truncated']}"
    if doc.startswith("notebooks/"):
        assert not layout["firstScreen"], f"{doc}: code in view on the first screen: {layout['firstScreen']}"
        first = layout["firstResult"]
        assert first is not None and first < VIEWPORT["height"], (
            f"{doc}: no result on the first screen (first at {first}px)"
        )

    images = page.evaluate(IMAGES_JS)
    broken = [img["src"] for img in images if not (img["complete"] and img["width"] > 0 and img["height"] > 0)]
    assert not broken, f"{doc}: images that did not load: {broken}"
    figures = image_outputs(doc)
    assert len(images) >= figures, f"{doc}: the notebook has {figures} figures, the page shows {len(images)} images"

    switcher = page.wait_for(SWITCHER_JS, "the version switcher to be filled")
    assert switcher["versions"] == switcher_versions(website), f"{doc}: switcher lists {switcher['versions']}"
    assert switcher["active"] == [website.version], switcher
    assert switcher["button"].startswith(website.version), switcher
    banner = page.evaluate(BANNER_JS)
    assert not banner["exists"] or banner["hidden"], f"{doc}: the latest version shows the banner {banner['text']!r}"

    footer = page.evaluate("document.querySelector('.pebench-provenance')?.innerText ?? ''")
    assert f"pebench {website.version}" in footer and "commit" in footer and "numbers produced" in footer, footer

    if doc.startswith("notebooks/"):
        binder = page.evaluate("[...document.querySelectorAll('a[href*=\"mybinder.org/v2/gh/\"]')].map(a => a.href)")
        assert any(href.endswith(f"{doc}.ipynb") for href in binder), f"{doc}: no Binder launch button: {binder}"
        owner_repo = TEST_REPOSITORY.removeprefix("https://github.com/")
        assert all(f"/v2/gh/{owner_repo}/{website.ref}" in href for href in binder), (
            f"{doc}: Binder opens another ref: {binder}"
        )
        download = page.evaluate(
            "[...document.querySelectorAll('a.download-source-button, a[href$=\".ipynb\"]')]"
            ".map(a => a.href).filter(h => h.startsWith(location.origin))"
        )
        assert download, f"{doc}: no download button for the notebook"
        status = page.evaluate(f"fetch({json.dumps(download[0])}).then(r => r.status)")
        assert status == 200, f"{doc}: the download button's {download[0]} answers {status}"

    requests = [e["params"]["request"]["url"] for e in page.events_since(start, "Network.requestWillBeSent")]
    outside = [u for u in requests if not u.startswith((server, "data:", "blob:", "about:"))]
    assert not outside, f"{doc}: requests outside the site (it must read offline): {outside}"
    errors = [
        f"{e['params']['entry']['text']} ({e['params']['entry'].get('url', '')})"
        for e in page.events_since(start, "Log.entryAdded")
        if e["params"]["entry"]["level"] == "error"
    ]
    errors += [
        " ".join(str(arg.get("value", arg.get("description", ""))) for arg in e["params"]["args"])
        for e in page.events_since(start, "Runtime.consoleAPICalled")
        if e["params"]["type"] == "error"
    ]
    errors += [
        e["params"]["exceptionDetails"].get("exception", {}).get("description", e["params"]["exceptionDetails"]["text"])
        for e in page.events_since(start, "Runtime.exceptionThrown")
    ]
    assert not errors, f"{doc}: console errors: {errors}"


def test_old_version_banner_and_switching(website: SiteBuild, server: str, page: Page) -> None:
    chapter = next(doc for doc in TOC_FILES if doc.startswith("notebooks/"))
    page.open(f"{server}/{website.old_version}/{chapter}.html")
    banner = page.wait_for(
        f"(() => {{ const b = {BANNER_JS}; return b.exists && !b.hidden ? b : null; }})()", "the old-version banner"
    )
    page.screenshot(ARTIFACTS / website.old_version / f"{chapter.replace('/', '__')}.png")
    assert f"old version ({website.old_version})" in banner["text"], banner
    assert banner["link"] == f"{server}/{website.version}/{chapter}.html", banner
    switcher = page.wait_for(SWITCHER_JS, "the version switcher to be filled")
    assert switcher["active"] == [website.old_version], switcher

    # Choosing the latest version in the switcher opens the same chapter there.
    page.evaluate(f"document.querySelector('.version-switcher__menu a[data-version=\"{website.version}\"]').click()")
    target = f"{server}/{website.version}/{chapter}.html"
    page.wait_for(f"location.href === {json.dumps(target)}", f"the switcher to open {target}")


def test_site_root_opens_the_latest_version(website: SiteBuild, server: str, page: Page) -> None:
    page.send("Page.navigate", {"url": f"{server}/"})
    page.wait_for(
        f"location.pathname.startsWith('/{website.version}/') && document.readyState === 'complete'",
        "the root to redirect to the latest version",
    )
