"""``briefing serve``: a new source, and a template edit, appear without restarting the server."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from conftest import make_project

LIMIT_SECONDS = 60  # a bound on waiting, not a performance assertion


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except OSError:
        return 0, ""


def _wait_for(server: subprocess.Popen, url: str, needle: str = "") -> str:
    deadline = time.monotonic() + LIMIT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server stopped: {server.communicate()[0][-3000:]}")
        status, body = _get(url)
        if status == 200 and needle in body:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{url} did not serve {needle!r} within {LIMIT_SECONDS}s")


def test_new_source_and_template_edit_appear_without_restart(tmp_path):
    project = make_project(tmp_path / "p", {"acme.md": "---\ntitle: Acme opens its model\n---\n"
                                                      "Acme released its open-source model on Monday.\n"})
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        index = _wait_for(server, f"{base}/sources/index.html", "Acme opens its model")
        assert "Tulips by the river" not in index
        (project / "seeds" / "tulips.md").write_text(
            "---\ntitle: Tulips by the river\n---\nGardeners planted tulips along the river path.\n", "utf-8")
        page = _wait_for(server, f"{base}/sources/tulips.html", "Gardeners planted tulips")
        assert "livereload" in page  # the dev server reloads the browser...
        assert "'unsafe-inline'" in page  # ...and the preview's CSP lets its script run
        _wait_for(server, f"{base}/sources/index.html", "Tulips by the river")
        template = project / "templates" / "pages" / "sources.html"
        template.write_text(template.read_text("utf-8").replace("{% block content %}",
                                                                "{% block content %}\n<p>edited-template-marker</p>", 1),
                            "utf-8")
        _wait_for(server, f"{base}/sources/index.html", "edited-template-marker")
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert not (project / "site").exists()  # serve builds into a temporary folder, never site/
    assert "1 sources processed, 1 from cache" in output  # the rebuild reused the unchanged source
    # ...and the unchanged pages of the previous preview (set aside before MkDocs empties its folder)
    assert re.search(r"1 from cache; [1-9]\d* pages from the previous build", output)
