"""Run by tests/test_video.py in its own process (the browser tests' session keeps a Playwright
asyncio loop open, and a second sync Playwright cannot start inside it): serve SITE, open URL in
Chromium, play the video muted past 1.2 s, print the tracks' state as JSON and screenshot the player.

Usage: python tests/browser_video_probe.py SITE SCREENSHOT URL"""

from __future__ import annotations

import functools
import json
import sys
import threading

# run as a script from tests/, so test_browser (beside it) imports as a top-level module
from playwright.sync_api import sync_playwright
from test_browser import CHROMIUM, CHROMIUM_ARGS, _QuietServer, _SiteHandler

STATE_JS = """() => {
    const v = document.querySelector('video');
    const tracks = Array.from(v.textTracks).map(t => ({lang: t.language, mode: t.mode,
        active: t.activeCues ? Array.from(t.activeCues).map(c => c.text) : null}));
    return {error: v.error && v.error.code, width: v.videoWidth, tracks};
}"""


def main(site: str, shot: str, url: str) -> None:
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_SiteHandler, directory=site))
    server.sent = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    requests: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM),
                                         args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(f"http://127.0.0.1:{server.server_address[1]}{url}", wait_until="networkidle")
            page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }")
            page.wait_for_function("() => document.querySelector('video').currentTime > 1.2", timeout=20_000)
            state = page.evaluate(STATE_JS)
            page.evaluate("() => document.querySelector('video').pause()")
            page.locator("figure.kb-video").screenshot(path=shot)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    state["requests"] = requests
    print(json.dumps(state))


if __name__ == "__main__":
    main(*sys.argv[1:4])
