"""Running the app: a listening socket bound first (so the address can be printed and a port in
use is a clear error), then uvicorn on it.

The state (store, worker pool and its fork server) is made before uvicorn starts any thread.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette

from ..errors import EnvironmentProblem
from .app import ServerConfig, State, create_app

HEADER_SECONDS = 5.0  # a client has this long to send a request's headers (uvicorn's keep-alive time)
MAX_HEAD_BYTES = 64 * 1024  # a request line and headers past this are refused (431)
MAX_CONNECTIONS = 1000  # open connections; past it, requests are answered 503
_SLOW = b"the request headers did not arrive within 5 seconds: send them whole\n"
SLOW_HEADERS = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
    b"content-length: %d\r\n\r\n%s" % (len(_SLOW), _SLOW)
)
_LARGE = b"the request line and headers are over the limit of 64 KiB: POST a long query as the body\n"
LARGE_HEADERS = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_LARGE), _LARGE)
)


def _slow_client_guard() -> type:
    """uvicorn's HTTP/1.1 protocol (httptools: the parser in C) with a deadline on every request's
    headers and a bound on their size.

    uvicorn's only timer (keep-alive) is stopped by any byte that arrives, so a client that sends
    its headers a byte at a time holds its connection forever (slowloris). Here the headers of each
    request must be whole within HEADER_SECONDS of the connection opening or the previous answer;
    a client caught halfway is answered 408, an idle one closed, and either way the connection ends.
    httptools (unlike h11) sets no bound on the headers' size: past MAX_HEAD_BYTES the request is
    answered 431 and the connection closed.
    """
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class SlowClientGuard(HttpToolsProtocol):
        _due: asyncio.TimerHandle | None = None
        _partial = False  # a request's first bytes came, its headers are not whole yet
        _head_bytes = 0

        def _arm(self) -> None:
            self._disarm()
            self._due = self.loop.call_later(HEADER_SECONDS, self._late)

        def _disarm(self) -> None:
            if self._due is not None:
                self._due.cancel()
                self._due = None

        def _late(self) -> None:
            self._due = None
            if self.transport.is_closing() or (self.cycle is not None and not self.cycle.response_complete):
                return  # a request's headers came in time: the app is answering it
            if self._partial:
                self.transport.write(SLOW_HEADERS)
            self.transport.close()

        def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            # Counted before the parser sees the bytes: httptools itself refuses a URL over 64 KiB
            # (its offsets are 16-bit) with a bare 400, and this 431 says what to do instead.
            if self._partial or self.cycle is None or self.cycle.response_complete:
                end = data.find(b"\r\n\r\n")
                if self._head_bytes + (len(data) if end < 0 else end + 4) > MAX_HEAD_BYTES:
                    self._disarm()
                    self.transport.write(LARGE_HEADERS)
                    self.transport.close()
                    return
                self._head_bytes += len(data)  # set back to 0 once the headers are whole
            super().data_received(data)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._partial = True

        def on_headers_complete(self) -> None:
            self._partial, self._head_bytes = False, 0
            self._disarm()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return SlowClientGuard


@dataclass
class Server:
    app: Starlette
    state: State
    socket: socket.socket

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C, SIGTERM), then stop the workers."""
        import uvicorn

        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
            timeout_graceful_shutdown=2,
            http=_slow_client_guard(),
            limit_concurrency=MAX_CONNECTIONS,
        )
        try:
            uvicorn.Server(config).run(sockets=[self.socket])
        finally:
            self.state.backend.close()
            self.socket.close()


def needs_build(config: ServerConfig) -> bool:
    """True when the server would serve the release folder and there is no release in it."""
    return not config.endpoint and config.store_dir is None and not (Path(config.release_dir) / "her2kg.nt").is_file()


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Without it, small keep-alive responses wait on Nagle's algorithm (~40 ms each).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise EnvironmentProblem(
            f"cannot listen on {host}:{port}: {err.strerror} — pick another with --port (or --port 0 for any free one)"
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def prepare(config: ServerConfig, on_build: Callable[[], None] | None = None) -> Server:
    """Build the release if there is none, load it, fork the query workers and bind the socket."""
    if config.log:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        for name in ("her2kg.access", "her2kg.server"):
            logging.getLogger(name).addHandler(handler)
            logging.getLogger(name).setLevel(logging.INFO)
    else:
        logging.getLogger("her2kg.server").addHandler(logging.StreamHandler())  # errors, always
    if needs_build(config):
        from ..build import build_release

        if on_build is not None:
            on_build()
        build_release(out_dir=Path(config.release_dir))
    state = State.open(config)  # forks the workers: before any thread
    try:
        sock = listen(config.host, config.port)
    except BaseException:
        state.backend.close()
        raise
    return Server(create_app(config, state), state, sock)
