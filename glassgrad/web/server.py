"""The playground's web server: the page, its static files, one WebSocket session per tab, downloads.

    glassgrad playground [--host 127.0.0.1] [--port 8000] [--runs DIR]

What it serves is fixed when it starts: the page, the files of ``glassgrad/web/static``, and under
``/shared/`` the listed files of ``glassgrad/viz/web`` (:data:`SHARED_STYLES`, :data:`SHARED_SCRIPTS`: the
explainer's browser library and components in their load order, then the playground's own components),
nothing else (a request for any other path, ``..`` included, is a 404, never a file read). It answers
only requests addressed to its own host name, and takes WebSocket connections only from its own pages,
so another web site open in the same browser can neither read it nor drive it.

All sessions compute on ONE thread, one job at a time. The engine's listener registry and its default
random generator are process-wide: jobs of two sessions interleaved on two threads would see each other's
ops and draws. One thread keeps every number a session shows its own, costs little under the GIL, and
shares the machine fairly (each session has at most one job waiting).
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from starlette.applications import Starlette
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from glassgrad.viz.explainer.html import COMPONENTS

from .blas import single_threaded_blas
from .save import zip_run
from .session import Session

HERE = os.path.dirname(os.path.abspath(__file__))
STATIC = os.path.join(HERE, "static")
SHARED = os.path.join(os.path.dirname(HERE), "viz", "web")
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".png": "image/png",
         ".svg": "image/svg+xml"}
LOCAL_NAMES = {"127.0.0.1", "localhost", "[::1]", "::1"}
# The shared components (glassgrad/viz/web/README.md): the library and the explainer's components in the
# order the explainer inlines them, then the ones only the playground draws with.
PLAYGROUND_COMPONENTS = ("components/neuron_heatmaps.js", "components/step_through.js", "components/race.js")
SHARED_SCRIPTS = COMPONENTS + PLAYGROUND_COMPONENTS
SHARED_STYLES = ("style.css",)


def _files(folder: str) -> dict[str, str]:
    """``{name: path}`` of the servable files directly in ``folder``."""
    if not os.path.isdir(folder):
        return {}
    return {name: os.path.join(folder, name) for name in sorted(os.listdir(folder))
            if os.path.splitext(name)[1] in TYPES and os.path.isfile(os.path.join(folder, name))}


def shared_files() -> dict[str, str]:
    """``{path under glassgrad/viz/web: file}`` of the shared files the page loads; a missing one is a
    broken install, said at start rather than as a blank view."""
    table = {name: os.path.join(SHARED, *name.split("/")) for name in SHARED_STYLES + SHARED_SCRIPTS}
    missing = [name for name, path in table.items() if not os.path.isfile(path)]
    if missing:
        raise RuntimeError(f"playground: the shared components {missing} are missing from {SHARED}")
    return table


class Playground:
    """The server's state: sessions, the compute thread, where runs go, what may be downloaded."""

    def __init__(self, host: str = "127.0.0.1", runs_dir: str | None = None):
        self.host = host
        self.runs_dir = os.path.abspath(runs_dir or os.path.join(os.getcwd(), "playground-runs"))
        self.scratch = tempfile.mkdtemp(prefix="glassgrad-playground-")
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="glassgrad-compute",
                                           initializer=single_threaded_blas)
        self.sessions: dict[str, Session] = {}
        self.downloads: dict[str, tuple[str, str | None]] = {}
        # index.html is the page's template: "/" serves it with the shared files filled in
        self.static = {n: p for n, p in _files(STATIC).items() if n != "index.html"}
        self.shared = shared_files()

    def register_download(self, run_dir: str, html: str | None) -> str:
        """A token naming a saved run's downloads: its directory (zipped on request) and its explainer
        page's file (None when it could not be built)."""
        token = secrets.token_urlsafe(12)
        self.downloads[token] = (run_dir, html)
        return token

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.scratch, ignore_errors=True)

    # ---- who may talk to us ---------------------------------------------------------------------
    def host_allowed(self, headers) -> bool:
        """Requests must name us (this defeats DNS rebinding); any host when bound to all interfaces."""
        if self.host in ("0.0.0.0", "::", ""):
            return True
        name = headers.get("host", "").rsplit(":", 1)[0] if not headers.get("host", "").startswith("[") \
            else headers.get("host", "").split("]")[0] + "]"
        return name in LOCAL_NAMES or name == self.host

    def origin_allowed(self, headers) -> bool:
        """A browser's WebSocket must come from our own page (no cross-site WebSocket hijacking)."""
        origin = headers.get("origin")
        if origin is None:
            return True  # not a browser (a script or a test client): nothing to hijack
        host = headers.get("host", "")
        return origin in (f"http://{host}", f"https://{host}")

    # ---- routes ---------------------------------------------------------------------------------
    def page(self) -> str:
        with open(os.path.join(STATIC, "index.html"), encoding="utf-8") as f:
            html = f.read()
        tags = [f'<link rel="stylesheet" href="/shared/{n}">' for n in SHARED_STYLES]
        tags += [f'<script src="/shared/{n}"></script>' for n in SHARED_SCRIPTS]
        return html.replace("<!-- shared components -->", "\n".join(tags))

    async def index(self, request):
        if not self.host_allowed(request.headers):
            return PlainTextResponse("wrong host", status_code=421)
        return HTMLResponse(self.page(), headers={"Cache-Control": "no-store"})

    def _file(self, table: dict, request) -> Response:
        if not self.host_allowed(request.headers):
            return PlainTextResponse("wrong host", status_code=421)
        path = table.get(request.path_params["name"])   # a lookup in a fixed table: never a path walk
        if path is None:
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(path, media_type=TYPES[os.path.splitext(path)[1]],
                            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    async def static_file(self, request):
        return self._file(self.static, request)

    async def shared_file(self, request):
        return self._file(self.shared, request)

    async def download(self, request):
        if not self.host_allowed(request.headers):
            return PlainTextResponse("wrong host", status_code=421)
        entry = self.downloads.get(request.path_params["token"])
        kind = request.path_params["kind"]
        if entry is None or kind not in ("run.zip", "explainer.html") or (kind == "explainer.html"
                                                                          and entry[1] is None):
            return PlainTextResponse("not found", status_code=404)
        run_dir, html = entry
        name = os.path.basename(run_dir)
        if kind == "explainer.html":   # a download, never a page of this origin
            return FileResponse(html, media_type="text/html; charset=utf-8",
                                headers={"Content-Disposition": f'attachment; filename="{name}.html"',
                                         "X-Content-Type-Options": "nosniff"})
        data = await asyncio.get_running_loop().run_in_executor(self.executor, zip_run, run_dir)
        return Response(data, media_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{name}.zip"'})

    async def stats(self, request):
        """Sessions open and the server's memory: what the load test and the benchmark watch."""
        return JSONResponse({"sessions": len(self.sessions), "rss_mb": rss_mb(),
                             "recordings": len(os.listdir(self.scratch)),
                             "frames": {sid: s.frames_sent for sid, s in self.sessions.items()}})

    async def websocket(self, websocket):
        if not (self.host_allowed(websocket.headers) and self.origin_allowed(websocket.headers)):
            await websocket.close(code=1008)
            return
        session = Session(websocket, self)
        self.sessions[session.id] = session
        try:
            await session.run()
        finally:
            self.sessions.pop(session.id, None)


def rss_mb() -> float | None:
    """This process's resident memory in MiB (Linux), or None."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


def create_app(host: str = "127.0.0.1", runs_dir: str | None = None) -> Starlette:
    """The playground as an ASGI app (``app.state.playground`` is its :class:`Playground`)."""
    pg = Playground(host, runs_dir)
    routes = [Route("/", pg.index), Route("/static/{name}", pg.static_file),
              Route("/shared/{name:path}", pg.shared_file),
              Route("/download/{token}/{kind}", pg.download), Route("/stats", pg.stats),
              WebSocketRoute("/ws", pg.websocket)]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        pg.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.playground = pg
    return app


def _server(host: str, port: int, runs_dir: str | None):
    """(uvicorn server, bound socket, address) for the playground on ``host:port`` (0: any free port)."""
    import uvicorn
    app = create_app(host, runs_dir)
    config = uvicorn.Config(app, log_level="warning", ws_max_size=1 << 16, ws="websockets-sansio",
                            lifespan="on", ws_ping_interval=20.0, ws_ping_timeout=20.0)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    shown = f"[{host}]" if ":" in host else host
    return uvicorn.Server(config), sock, f"http://{shown}:{sock.getsockname()[1]}/"


def serve(host: str = "127.0.0.1", port: int = 8000, runs_dir: str | None = None,
          open_browser: bool = False) -> None:
    """Run the playground until interrupted, printing its address."""
    server, sock, url = _server(host, port, runs_dir)
    print(f"glassgrad playground: open {url} in your browser (Ctrl+C stops it)", flush=True)
    if open_browser:
        import webbrowser
        webbrowser.open(url)
    server.run(sockets=[sock])


@contextlib.contextmanager
def running(host: str = "127.0.0.1", port: int = 0, runs_dir: str | None = None):
    """The playground served on a background thread for the duration of the block; yields its address
    (tests and benchmarks)."""
    server, sock, url = _server(host, port, runs_dir)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the playground server did not start")
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
