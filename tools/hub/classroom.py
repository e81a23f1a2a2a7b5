"""One simulated student on the hub, doing what a browser does, over HTTP and websockets.

:class:`Student` logs in through the hub's login form, follows the class's nbgitpuller link
(the hub starts the student's server; nbgitpuller clones or merges the course through its
event-stream API, the one its page calls), opens the notebook page, starts a kernel through
the Jupyter server's sessions API, runs every code cell over the kernel's websocket (the
Jupyter messaging protocol), and moves a slider the way JupyterLab does: an ipywidgets
``comm_msg`` ``{"method": "update", "state": {"value": v}}``, timed until the explorer's
``Image`` update comes back. Everything goes through the hub's proxy on 127.0.0.1.

Used by tests/test_hub.py (nothing lost) and benchmarks/bench_hub.py (a class at once).
Needs httpx, tornado and psutil (all in the course's lock).
"""

from __future__ import annotations

import asyncio
import json
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import psutil
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

SLIDERS = ("IntSliderModel", "FloatSliderModel")


class ClassroomError(RuntimeError):
    """A step of a student's session failed (login, spawn, pull, a cell, a slider)."""


def parse_frame(frame: str | bytes) -> dict[str, Any]:
    """A kernel message from a websocket frame: JSON text, or jupyter_server's binary frame
    (uint32 count n, n uint32 offsets, the JSON message, then its n - 1 buffers)."""
    if isinstance(frame, str):
        return json.loads(frame)
    (n,) = struct.unpack("!I", frame[:4])
    offsets = struct.unpack(f"!{n}I", frame[4 : 4 + 4 * n])
    end = offsets[1] if n > 1 else len(frame)
    msg = json.loads(frame[offsets[0] : end].decode())
    msg["n_buffers"] = n - 1
    return msg


@dataclass
class Kernel:
    """A kernel's websocket, with every iopub message sorted by the request it answers."""

    ws: Any
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    replies: dict[str, asyncio.Future] = field(default_factory=dict)
    idle: dict[str, asyncio.Future] = field(default_factory=dict)
    by_parent: dict[str, list[dict]] = field(default_factory=dict)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)  # comm id -> state
    waiters: list[tuple[str, asyncio.Future]] = field(default_factory=list)
    reader: asyncio.Task | None = None

    def start(self) -> None:
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            frame = await self.ws.read_message()
            if frame is None:
                for fut in [*self.replies.values(), *self.idle.values()]:
                    if not fut.done():
                        fut.set_exception(ClassroomError("kernel websocket closed"))
                return
            msg = parse_frame(frame)
            parent = msg.get("parent_header", {}).get("msg_id", "")
            kind = msg["msg_type"]
            content = msg.get("content", {})
            self.by_parent.setdefault(parent, []).append(msg)
            if msg.get("channel") == "shell" and parent in self.replies:
                self.replies[parent].done() or self.replies[parent].set_result(msg)
            elif kind == "status" and content.get("execution_state") == "idle":
                if parent in self.idle and not self.idle[parent].done():
                    self.idle[parent].set_result(msg)
            elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                self.models[content["comm_id"]] = dict(content["data"].get("state", {}))
            elif kind == "comm_msg":
                data = content.get("data", {})
                comm = content.get("comm_id")
                if data.get("method") in ("update", "echo_update") and comm in self.models:
                    self.models[comm].update(data.get("state", {}))
                    for want, fut in self.waiters:
                        if want == parent and comm in self.images() and not fut.done():
                            fut.set_result(time.perf_counter())

    def images(self) -> set[str]:
        """The comms of the explorers' pictures: ``FramePicture`` (helpers/explorers/picture.py),
        or a plain ipywidgets ``Image`` where anywidget is missing."""
        return {
            c
            for c, s in self.models.items()
            if s.get("_model_name") == "ImageModel"
            or str(s.get("_anywidget_id", "")).endswith(".FramePicture")
        }

    def _message(self, channel: str, kind: str, content: dict) -> dict:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": kind,
            "session": self.session,
            "username": "student",
            "date": "",
            "version": "5.3",
        }
        return {
            "channel": channel,
            "header": header,
            "parent_header": {},
            "metadata": {},
            "content": content,
            "buffers": [],
        }

    async def execute(self, code: str, timeout: float) -> list[dict]:
        """Run ``code``; its iopub messages. Raises ClassroomError on an error reply."""
        msg = self._message(
            "shell", "execute_request", {"code": code, "silent": False, "store_history": True}
        )
        mid = msg["header"]["msg_id"]
        loop = asyncio.get_running_loop()
        self.replies[mid], self.idle[mid] = loop.create_future(), loop.create_future()
        await self.ws.write_message(json.dumps(msg))
        try:
            reply = await asyncio.wait_for(self.replies[mid], timeout)
            await asyncio.wait_for(self.idle[mid], timeout)
        finally:
            self.replies.pop(mid), self.idle.pop(mid)
        if reply["content"].get("status") != "ok":
            c = reply["content"]
            raise ClassroomError(f"cell failed: {c.get('ename')}: {c.get('evalue')}")
        return self.by_parent.pop(mid, [])

    async def move(self, comm_id: str, value: float, timeout: float) -> float:
        """Set a slider's value as JupyterLab does; seconds until an Image update arrives."""
        msg = self._message(
            "shell",
            "comm_msg",
            {
                "comm_id": comm_id,
                "data": {"method": "update", "state": {"value": value}, "buffer_paths": []},
            },
        )
        mid = msg["header"]["msg_id"]
        fut = asyncio.get_running_loop().create_future()
        self.waiters.append((mid, fut))
        start = time.perf_counter()
        await self.ws.write_message(json.dumps(msg))
        try:
            done = await asyncio.wait_for(fut, timeout)
        finally:
            self.waiters = [w for w in self.waiters if w[0] != mid]
            self.by_parent.pop(mid, None)
        return done - start

    def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        self.ws.close()


class Student:
    """One student: an HTTP client with the browser's cookies, on the hub at ``hub_url``."""

    def __init__(self, hub_url: str, name: str, password: str, timeout: float = 300.0) -> None:
        self.hub_url = hub_url.rstrip("/")
        self.name = name
        self.password = password
        self.timeout = timeout
        self.http = httpx.AsyncClient(
            base_url=self.hub_url, follow_redirects=True, timeout=httpx.Timeout(timeout)
        )
        self.prefix = f"/user/{quote(name)}"

    async def close(self) -> None:
        await self.http.aclose()

    def _xsrf(self) -> dict[str, str]:
        token = ""
        for cookie in self.http.cookies.jar:
            if cookie.name == "_xsrf" and cookie.path.startswith(self.prefix):
                token = cookie.value
        return {"X-XSRFToken": token}

    async def login(self) -> None:
        """The hub's login form (with its _xsrf field), as a browser posts it."""
        page = await self.http.get("/hub/login")
        xsrf = self.http.cookies.get("_xsrf", path="/hub/") or ""
        r = await self.http.post(
            "/hub/login",
            data={"username": self.name, "password": self.password, "_xsrf": xsrf},
        )
        if page.status_code != 200 or "jupyterhub-session-id" not in self.http.cookies:
            raise ClassroomError(f"{self.name}: login failed ({r.status_code})")

    async def open_link(self, link: str) -> None:
        """Follow the nbgitpuller link; start the server if it is stopped (what the hub's
        "not running" page does on its own after ``implicit_spawn_seconds``) and wait."""
        path = urlsplit(link)
        r = await self.http.get(f"{path.path}?{path.query}")
        if r.status_code == 424:  # not running: the page's spawn link
            spawn = f"/hub/spawn/{quote(self.name)}"
            nxt = urlsplit(str(r.url))
            nxt_path = nxt.path.removeprefix("/hub")
            r = await self.http.get(spawn, params={"next": f"{nxt_path}?{nxt.query}"})
        deadline = time.monotonic() + self.timeout
        while "/spawn-pending/" in r.url.path:
            if time.monotonic() > deadline:
                raise ClassroomError(f"{self.name}: spawn timed out")
            await asyncio.sleep(0.5)
            r = await self.http.get(str(r.url))
        if r.status_code != 200 or not r.url.path.startswith(f"{self.prefix}/git-pull"):
            raise ClassroomError(f"{self.name}: link ended at {r.url} ({r.status_code})")

    async def pull(self, repo: str, branch: str = "main") -> list[str]:
        """nbgitpuller's event stream ``git-pull/api``: the pull itself. Its messages."""
        target = repo.rstrip("/").rsplit("/", 1)[-1]
        params = {"repo": repo, "branch": branch, "targetpath": target}
        events: list[str] = []
        async with self.http.stream(
            "GET", f"{self.prefix}/git-pull/api", params=params
        ) as response:
            async for line in response.aiter_lines():
                if not line.startswith("data: "):
                    continue
                event = json.loads(line[6:])
                events.append(event.get("output", "") or event.get("message", ""))
                if event.get("phase") == "finished":
                    return events
                if event.get("phase") == "error":
                    raise ClassroomError(f"{self.name}: nbgitpuller: {event.get('message')}")
        raise ClassroomError(f"{self.name}: nbgitpuller stream ended without 'finished'")

    async def open_lab(self, path: str) -> None:
        """The JupyterLab page of ``path`` (sets the server's _xsrf cookie)."""
        r = await self.http.get(f"{self.prefix}/lab/tree/{quote(path)}")
        if r.status_code != 200:
            raise ClassroomError(f"{self.name}: lab page {r.status_code}")

    async def api(self, method: str, path: str, **kwargs: Any) -> Any:
        r = await self.http.request(
            method, f"{self.prefix}/api/{path}", headers=self._xsrf(), **kwargs
        )
        if r.status_code >= 400:
            raise ClassroomError(f"{self.name}: {method} {path}: {r.status_code} {r.text[:200]}")
        return r.json() if r.content else None

    async def get_notebook(self, path: str) -> dict:
        return (await self.api("GET", f"contents/{quote(path)}", params={"content": 1}))["content"]

    async def save_notebook(self, path: str, notebook: dict) -> None:
        body = {"type": "notebook", "format": "json", "content": notebook}
        await self.api("PUT", f"contents/{quote(path)}", json=body)

    async def start_kernel(self, path: str) -> tuple[Kernel, str]:
        """A session for ``path`` (as opening the notebook does) and its kernel's websocket."""
        body = {"path": path, "type": "notebook", "name": "", "kernel": {"name": "python3"}}
        session = await self.api("POST", "sessions", json=body)
        kernel_id = session["kernel"]["id"]
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies.jar)
        url = self.hub_url.replace("http", "ws", 1)
        request = HTTPRequest(
            f"{url}{self.prefix}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}",
            headers={"Cookie": cookies, **self._xsrf()},
            connect_timeout=self.timeout,
            request_timeout=self.timeout,
        )
        ws = await websocket_connect(request, max_message_size=64 * 2**20)
        kernel = Kernel(ws)
        kernel.start()
        return kernel, kernel_id


def processes(kernel_id: str) -> tuple[psutil.Process, psutil.Process]:
    """The kernel process (its connection file names ``kernel_id``) and its parent, the
    student's Jupyter server."""
    for proc in psutil.process_iter(["cmdline"]):
        if any(kernel_id in part for part in proc.info["cmdline"] or []):
            return proc, proc.parent()
    raise ClassroomError(f"no process for kernel {kernel_id}")


def cpu_seconds(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system
