"""Screenshots of a running psa_helpdesk server, for the README and reviews.

Logs in with headless Chromium (Chrome DevTools protocol over websocket-client,
both installed by the set-up), opens each URL and saves a PNG.

usage: .venv/bin/python scripts/screenshot.py URL_PATH[|CLICK_SELECTOR] OUT.png [...]
       (server from $PSA_URL, default http://127.0.0.1:8069; login admin/admin)
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

BASE = os.environ.get("PSA_URL", "http://127.0.0.1:8069")
PORT = 9333


class Page:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.seq = 0

    def call(self, method, **params):
        self.seq += 1
        self.ws.send(json.dumps({"id": self.seq, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.seq:
                if "error" in msg:
                    raise RuntimeError(msg["error"])
                return msg.get("result", {})

    def js(self, expression):
        res = self.call("Runtime.evaluate", expression=expression, awaitPromise=True)
        return res.get("result", {}).get("value")

    def goto(self, url, wait_selector=None, settle=2.0):
        self.call("Page.navigate", url=url)
        deadline = time.time() + 30
        while time.time() < deadline:
            time.sleep(0.5)
            ready = self.js("document.readyState") == "complete"
            found = not wait_selector or self.js(
                f"!!document.querySelector({json.dumps(wait_selector)})"
            )
            if ready and found:
                break
        time.sleep(settle)


def main(argv):
    pairs = list(zip(argv[::2], argv[1::2], strict=True))
    profile = tempfile.mkdtemp()
    browser = subprocess.Popen(
        [
            shutil.which("chromium") or "chromium",
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={PORT}",
            "--window-size=1440,900",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/json") as resp:
                    targets = json.load(resp)
                break
            except OSError:
                time.sleep(0.2)
        page_target = next(t for t in targets if t["type"] == "page")
        page = Page(page_target["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call(
            "Emulation.setDeviceMetricsOverride",
            width=1440,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        page.goto(f"{BASE}/web/login", "input[name=login]", settle=0.5)
        page.js(
            "document.querySelector('input[name=login]').value='admin';"
            "document.querySelector('input[name=password]').value='admin';"
            "document.querySelector('form.oe_login_form').submit();"
        )
        time.sleep(3)
        for target, out in pairs:
            # "PATH|SELECTOR": click SELECTOR (e.g. a notebook tab) once loaded,
            # and scroll it to the top
            path, _sep, click = target.partition("|")
            page.goto(f"{BASE}{path}", ".o_action_manager .o_view_controller", settle=3)
            if click:
                page.js(
                    f"var el = document.querySelector({json.dumps(click)});"
                    "el.click(); el.scrollIntoView({block: 'start'});"
                )
                time.sleep(1.5)
            data = page.call("Page.captureScreenshot", format="png")["data"]
            with open(out, "wb") as fh:
                fh.write(base64.b64decode(data))
            print(f"saved {out}")
    finally:
        browser.terminate()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
