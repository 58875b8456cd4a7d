"""A scripted browser tab: a WebSocket client that acknowledges frames as a page does."""
import json
import time
import urllib.request

from websockets.sync.client import connect


class Tab:
    def __init__(self, url: str, **headers):
        self.url = url
        self.ws = connect(url.replace("http://", "ws://") + "ws", additional_headers=headers or None, legacy=True,
                          open_timeout=20)
        self.frames = 0

    def send(self, message) -> None:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def receive(self, timeout: float = 20.0) -> dict:
        return json.loads(self.ws.recv(timeout=timeout))

    def until(self, kind: str, timeout: float = 30.0, ack: bool = True) -> dict:
        """Messages up to the next one of type ``kind`` (acknowledging frames on the way)."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.receive(max(0.1, deadline - time.monotonic()))
            if message["type"] in ("frame", "race"):
                self.frames += message["type"] == "frame"
                if ack:
                    self.send({"type": "ack", "frame": message["frame"]})
            if message["type"] == kind:
                return message

    def close(self) -> None:
        self.ws.close()


def stats(url: str) -> dict:
    with urllib.request.urlopen(url + "stats", timeout=20) as response:
        return json.loads(response.read())


def wait_for_sessions(url: str, count: int, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        s = stats(url)
        if s["sessions"] == count or time.monotonic() > deadline:
            return s
        time.sleep(0.05)
