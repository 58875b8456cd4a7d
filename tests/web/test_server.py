"""The server against bad input: malformed and hostile messages, floods, paths outside its files."""
import http.client
import os
import re
import urllib.parse

import pytest
from websockets.exceptions import InvalidStatus, ConnectionClosed

from glassgrad.viz.explainer.html import COMPONENTS, web_file
from glassgrad.web import running
from tests.viz.explainer.conftest import read_data
from tests.web.helpers import Tab, stats, wait_for_sessions


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running(runs_dir=str(tmp_path_factory.mktemp("runs"))) as url:
        yield url


def get(url, path, with_headers=False, **headers):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    result = response.status, response.read()
    return result + (dict(response.getheaders()),) if with_headers else result


def test_a_session_says_hello_then_streams(server):
    tab = Tab(server)
    hello = tab.receive()
    assert hello["type"] == "hello" and hello["schema"]["config"]["hidden"]["max_layers"] == 8
    setup = tab.until("setup")
    assert setup["config"]["dataset"] == "spiral" and "points" in setup["views"]["boundary"]
    first = tab.until("frame")
    tab.send({"type": "play"})
    later = [tab.until("frame") for _ in range(5)][-1]
    assert later["frame"] > first["frame"] and later["counters"]["step"] >= 40
    tab.close()


@pytest.mark.parametrize("text, field", [
    ("{oops", None), ("[]", "message"), ('{"type": 5}', "type"), ('{"type": "play", "x": 1}', "x"),
    ('{"type": "config", "config": {"hidden": [1, 2, 3, 4, 5, 6, 7, 8, 9]}}', "config.hidden"),
    ('{"type": "config", "config": {"hidden": [1000]}}', "config.hidden[0]"),
    ('{"type": "config", "config": {"batch_size": 100000}}', "config.batch_size"),
    ('{"type": "config", "config": {"lr": -1}}', "config.lr"),
    ('{"type": "config", "config": {"lr": Infinity}}', None),
    ('{"type": "config", "config": {"dataset": "sine", "loss": "cross_entropy"}}', "config.loss"),
])
def test_bad_messages_get_errors_and_the_session_goes_on(server, text, field):
    tab = Tab(server)
    tab.until("frame")
    tab.send(text)
    error = tab.until("error")
    assert error["field"] == field and error["message"]
    tab.send({"type": "step"})
    assert tab.until("frame")["counters"]["step"] == 1   # still answering, state untouched
    tab.close()


def test_binary_messages_are_refused_politely(server):
    tab = Tab(server)
    tab.until("frame")
    tab.ws.send(b'{"type": "play"}')
    assert "binary" in tab.until("error")["message"]
    tab.close()


def test_a_flood_is_bounded_and_the_server_stays_responsive(server):
    tab = Tab(server)
    tab.until("frame")
    for _ in range(300):
        tab.send({"type": "config", "config": {"lr": 0.01}})
    for _ in range(300):
        tab.send('{"type": "nonsense"}')
    errors = frames = 0
    while True:   # every message is answered: a frame, or an error (bad, or beyond the inbox)
        try:
            message = tab.receive(timeout=3.0)
        except TimeoutError:
            break
        errors += message["type"] == "error"
        frames += message["type"] == "frame"
    assert errors + frames == 600 and errors >= 300 and frames >= 1
    other = Tab(server)              # a second tab is served meanwhile
    assert other.until("frame")["counters"]["step"] == 0
    tab.send({"type": "step"})
    assert tab.until("frame")["counters"]["step"] == 1
    assert stats(server)["sessions"] >= 2
    other.close(), tab.close()


def test_frames_wait_for_the_browser(server):
    tab = Tab(server)
    tab.until("frame")
    tab.send({"type": "play"})
    frame = tab.until("frame", ack=False)
    with pytest.raises(TimeoutError):
        while True:                  # unacknowledged: no further frame comes
            assert tab.receive(timeout=1.0)["type"] != "frame"
    tab.send({"type": "ack", "frame": frame["frame"]})
    assert tab.until("frame")["frame"] == frame["frame"] + 1
    tab.close()


def test_closed_tabs_end_their_sessions(server):
    tabs = [Tab(server) for _ in range(3)]
    for tab in tabs:
        tab.until("frame")
        tab.send({"type": "play"})
    assert wait_for_sessions(server, 3)["sessions"] == 3
    for tab in tabs:
        tab.close()
    assert wait_for_sessions(server, 0)["sessions"] == 0


def test_divergence_is_reported_and_reset_recovers(server):
    tab = Tab(server)
    tab.until("frame")
    tab.send({"type": "config", "config": {"optimizer": "sgd", "lr": 10.0, "loss": "mse", "hidden": [64, 64],
                                           "activation": "relu", "dataset": "sine", "steps_per_frame": 50}})
    tab.until("setup")
    tab.send({"type": "play"})
    while not (frame := tab.until("frame"))["counters"]["diverged"]:
        assert frame["counters"]["step"] < 5000
    tab.send({"type": "play"})
    assert "diverged" in tab.until("error")["message"]
    tab.send({"type": "config", "config": {"lr": 0.01}})
    tab.until("frame")
    tab.send({"type": "reset"})
    tab.until("setup")
    assert tab.until("frame")["counters"]["diverged"] is None
    tab.close()


def test_save_offers_the_run_for_download(server):
    tab = Tab(server)
    tab.until("frame")
    tab.send({"type": "step"})
    tab.until("frame")
    tab.send({"type": "save"})
    saved = tab.until("saved")
    assert os.path.exists(os.path.join(saved["path"], "manifest.json")) and saved["steps"] == 1
    status, body, headers = get(server, saved["downloads"]["run"], with_headers=True)
    assert status == 200 and body[:2] == b"PK" and headers["content-disposition"].startswith("attachment;")
    name = os.path.basename(saved["path"])
    status, body, headers = get(server, saved["downloads"]["explainer"], with_headers=True)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert headers["content-disposition"] == f'attachment; filename="{name}.html"'   # a download, not a page
    page = body.decode("utf-8")
    assert page.startswith("<!doctype html>") and name in page   # the page of this session's run
    assert read_data(saved["explainer"])["meta"]["steps"] == 1 and "explainer_error" not in saved
    assert get(server, "/download/nope/run.zip")[0] == 404
    assert get(server, "/download/nope/explainer.html")[0] == 404
    tab.close()


def test_a_failed_explainer_still_saves_the_run(server, monkeypatch):
    def broken(run_dir):
        raise ValueError("no page today")
    monkeypatch.setattr("glassgrad.web.session.write_explainer", broken)
    tab = Tab(server)
    tab.until("frame")
    tab.send({"type": "save"})
    saved = tab.until("saved")
    assert saved["explainer_error"] == "ValueError: no page today" and list(saved["downloads"]) == ["run"]
    assert get(server, saved["downloads"]["run"])[0] == 200
    assert get(server, saved["downloads"]["run"].replace("run.zip", "explainer.html"))[0] == 404
    tab.send({"type": "step"})
    assert tab.until("frame")["counters"]["step"] == 1     # the session goes on
    tab.close()


@pytest.mark.parametrize("path", ["/static/../server.py", "/static/..%2Fserver.py", "/static/%2e%2e%2fschema.py",
                                  "/static/app.js/../../server.py", "/components/../../web/server.py",
                                  "/static/", "/static/schema.py", "/etc/passwd", "/static/%00app.js",
                                  "/shared/../../web/server.py", "/shared/lib/../../views/clean.py",
                                  "/shared/%2e%2e/views/clean.py", "/shared/README.md", "/shared/",
                                  "/shared/explainer/main.js", "/shared//etc/passwd", "/components/boundary.js",
                                  "/static/index.html"])
def test_only_its_own_files_are_served(server, path):
    status, body = get(server, path)
    assert status == 404 and b"import" not in body


def test_its_own_files_are_served(server):
    status, body = get(server, "/")
    page = body.decode("utf-8")
    assert status == 200
    # the shared library and components in the explainer's load order, then the playground's own
    scripts = re.findall(r'<script src="/shared/([^"]+)">', page)
    assert scripts == list(COMPONENTS) + ["components/neuron_heatmaps.js", "components/step_through.js",
                                          "components/race.js"]
    assert page.index("/shared/style.css") < page.index("/static/playground.css") < page.index("/static/app.js")
    assert "fallback" not in page
    for name in scripts + ["style.css"]:
        status, body = get(server, "/shared/" + name)
        assert status == 200 and body == web_file(name).encode("utf-8")   # the package's own file
    for path in ["/static/app.js", "/static/playground.css"]:
        assert get(server, path)[0] == 200


def test_other_sites_cannot_reach_it(server):
    assert get(server, "/", Host="evil.example")[0] == 421          # DNS rebinding
    with pytest.raises((InvalidStatus, ConnectionClosed)):          # cross-site WebSocket
        tab = Tab(server, Origin="http://evil.example")
        tab.receive()
