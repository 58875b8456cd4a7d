"""One browser tab's playground session: its trainer, its recording, its race, and the protocol.

The event loop only receives, checks and sends; every computation runs on the server's compute thread,
one job at a time (see :mod:`glassgrad.web.server` for why one). Frames are paced by the browser: a
streamed message carries a ``frame`` number and the next one is computed only after the page has
answered ``{"type": "ack", "frame": n}``, so nothing queues up behind a slow tab. Commands wait in an
inbox of bounded size; past it a message is dropped with an error reply.
"""
from __future__ import annotations

import asyncio
import logging
import secrets

from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from .race import Race
from .save import Recording, write_explainer
from .schema import DEFAULT_CONFIG, REBUILD_FIELDS, MessageError, describe, merge_config, parse
from .stepthrough import step_through
from .trainer import Diverged, Trainer

INBOX_SIZE = 32
log = logging.getLogger("glassgrad.web")


class Disconnected(Exception):
    pass


class Session:
    def __init__(self, websocket, server):
        self.ws, self.server = websocket, server
        self.id = secrets.token_urlsafe(12)
        self.trainer: Trainer | None = None
        self.recording: Recording | None = None
        self.race: Race | None = None
        self.playing = False
        self.frame_id = 0
        self.awaiting_ack = False
        self.inbox: asyncio.Queue = asyncio.Queue(maxsize=INBOX_SIZE)
        self.wake = asyncio.Event()
        self.frames_sent = 0

    # ---- plumbing -------------------------------------------------------------------------------
    async def call(self, fn, *args):
        """Run ``fn(*args)`` on the compute thread."""
        return await asyncio.get_running_loop().run_in_executor(self.server.executor, fn, *args)

    async def send(self, message: dict) -> None:
        await self.ws.send_json(message)

    async def error(self, field, message: str) -> None:
        await self.send({"type": "error", "field": field, "message": message})

    async def stream(self, message: dict) -> None:
        """Send a paced message: numbered, and the next one waits for its acknowledgement."""
        self.frame_id += 1
        self.awaiting_ack = True
        self.frames_sent += 1
        await self.send(dict(message, frame=self.frame_id))

    # ---- life cycle -----------------------------------------------------------------------------
    async def run(self) -> None:
        await self.ws.accept()
        receiver = None
        try:
            await self.send({"type": "hello", "session": self.id, "schema": describe()})
            await self._rebuild(DEFAULT_CONFIG)
            receiver = asyncio.create_task(self._receive())
            await self._loop(receiver)
        except (Disconnected, WebSocketDisconnect, WebSocketDisconnected):
            pass
        finally:
            self.playing = False
            if receiver is not None:
                receiver.cancel()
            await asyncio.shield(self.call(self._close))

    def _close(self) -> None:
        if self.recording is not None:
            self.recording.discard()
        self.trainer = self.recording = self.race = None

    async def _receive(self) -> None:
        while True:
            message = await self.ws.receive()
            if message["type"] == "websocket.disconnect":
                raise Disconnected()
            text = message.get("text")
            try:
                command = parse(text)
            except MessageError as err:
                await self.error(err.field, err.reason)
                continue
            if command["type"] == "ack":
                if command["frame"] == self.frame_id:
                    self.awaiting_ack = False
                    self.wake.set()
                continue
            try:
                self.inbox.put_nowait(command)
            except asyncio.QueueFull:
                await self.error(None, f"too many messages at once (more than {INBOX_SIZE} waiting): "
                                       f"this {command['type']!r} was dropped")
            self.wake.set()

    async def _loop(self, receiver: asyncio.Task) -> None:
        while True:
            if receiver.done():
                receiver.result()  # re-raise the disconnect
            while not self.inbox.empty():
                await self._handle(self.inbox.get_nowait())
            racing = self.race is not None and not self.race.finished
            if (self.playing or racing) and not self.awaiting_ack:
                await self._handle({"type": "_race" if racing else "_burst"})
                continue
            self.wake.clear()
            if self.inbox.empty():
                waiter = asyncio.create_task(self.wake.wait())
                await asyncio.wait({waiter, receiver}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()

    # ---- compute jobs (on the compute thread) ------------------------------------------------------
    def _build(self, config: dict) -> dict:
        if self.recording is not None:
            self.recording.discard()
        self.trainer = Trainer(config)
        self.recording = Recording(self.trainer, self.server.scratch)
        self.trainer.on_eval = self.recording.log_eval
        return {"setup": self.trainer.setup(), "frame": self.trainer.frame()}

    def _burst(self) -> dict:
        self.trainer.train(self.trainer.config["steps_per_frame"])
        return self.trainer.frame()

    def _one_step(self) -> dict:
        self.trainer.train(1)
        return self.trainer.frame()

    def _step_through(self, sample: int) -> tuple[dict, dict]:
        return step_through(self.trainer, sample), self.trainer.frame()

    def _save(self) -> dict:
        path = self.recording.save(self.server.runs_dir)
        steps = self.trainer.step
        self.recording = Recording(self.trainer, self.server.scratch)
        self.trainer.on_eval = self.recording.log_eval
        saved = {"type": "saved", "path": path, "steps": steps}
        try:
            html = write_explainer(path)
        except Exception as err:  # noqa: BLE001 - the run is saved all the same: offer it, say what failed
            log.exception("playground: the explainer page of %s failed", path)
            html, saved["explainer_error"] = None, f"{type(err).__name__}: {err}"
        token = self.server.register_download(path, html)
        saved["downloads"] = {"run": f"/download/{token}/run.zip"}
        if html is not None:
            saved["explainer"] = html
            saved["downloads"]["explainer"] = f"/download/{token}/explainer.html"
        return saved

    # ---- commands -------------------------------------------------------------------------------
    async def _rebuild(self, config: dict) -> None:
        self.playing, self.race = False, None
        built = await self.call(self._build, config)
        await self.send({"type": "setup", **built["setup"]})
        await self.stream({"type": "frame", **built["frame"]})

    async def _frame_now(self, job, *args) -> None:
        """Run ``job`` (which returns a frame) and stream its frame; if it fails, say so and stream the
        frame of the state as it is."""
        try:
            frame = await self.call(job, *args)
        except Diverged as err:
            self.playing = False
            await self.error(None, str(err))
            frame = await self.call(self.trainer.frame)
        except (WebSocketDisconnect, WebSocketDisconnected):
            raise
        except Exception as err:  # noqa: BLE001 - a bug in one command must not end the session
            self.playing, self.race = False, None
            name = getattr(job, "__name__", "a job").lstrip("_")
            log.exception("playground: %s failed", name)
            await self.error(None, f"{name} failed: {type(err).__name__}: {err}")
            frame = await self.call(self.trainer.frame)
        await self.stream({"type": "frame", **frame})

    async def _train_burst(self) -> None:
        await self._frame_now(self._burst)
        if self.trainer.diverged:
            self.playing = False

    async def _advance_race(self) -> None:
        await self.call(self.race.advance)
        view = await self.call(self.race.view)
        await self.stream({"type": "race", "view": view})

    async def _handle(self, command: dict) -> None:
        kind = command["type"]
        try:
            if kind == "config":
                merged = merge_config(self.trainer.config, command["config"])
                if any(merged[k] != self.trainer.config[k] for k in REBUILD_FIELDS):
                    await self._rebuild(merged)
                else:
                    await self.call(self.trainer.apply, merged)
                    await self.send({"type": "config", "config": self.trainer.config})
                    await self._frame_now(self.trainer.frame)
            elif kind == "_burst":
                await self._train_burst()
            elif kind == "_race":
                await self._advance_race()
            elif kind == "reset":
                await self._rebuild(self.trainer.config)
            elif kind == "play":
                if self.trainer.diverged:
                    await self.error(None, self.trainer.diverged)
                else:
                    self.race, self.playing = None, True
            elif kind == "pause":
                self.playing = False
                await self._frame_now(self.trainer.frame)
            elif kind == "step":
                self.playing = False
                await self._frame_now(self._one_step)
            elif kind == "stepthrough":
                self.playing = False
                view, frame = await self.call(self._step_through, command.get("sample", 0))
                await self.send({"type": "stepthrough", "view": view})
                await self.stream({"type": "frame", **frame})
            elif kind == "race":
                self.playing = False
                self.race = await self.call(Race, self.trainer.config, command["runners"],
                                            command.get("steps", 200))
                await self.stream({"type": "race", "view": await self.call(self.race.view)})
            elif kind == "save":
                self.playing = False
                await self.send(await self.call(self._save))
        except MessageError as err:
            await self.error(err.field, err.reason)
        except Diverged as err:
            self.playing = False
            await self.error(None, str(err))
        except (WebSocketDisconnect, WebSocketDisconnected):
            raise
        except Exception as err:  # noqa: BLE001 - a bug in one command must not end the session
            self.playing, self.race = False, None
            log.exception("playground: %s failed", kind)
            await self.error(None, f"{kind} failed: {type(err).__name__}: {err}")
