"""A RabbitMQ that a test can stop without touching the machine's: a TCP forwarder to the
local broker, on a port of its own. `stop()` cuts every connection and from then on cuts
each new one at once (as a broker that is gone), counting the attempts, so that a test knows
when a client is reconnecting."""

from __future__ import annotations

import contextlib
import socket
import threading


class BrokerProxy:
    def __init__(self, broker_port: int = 5672) -> None:
        self.broker = ("127.0.0.1", broker_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.connected = threading.Event()  # a client reached the broker through us
        self.refused = threading.Event()  # a client tried again after `stop()`
        self.stopped = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def stop(self) -> None:
        """The broker goes away: open connections are cut, new ones closed at once."""
        with self._lock:
            self.stopped = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _cut(sock)

    def close(self) -> None:
        self.stop()
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                if self.stopped:
                    self.refused.set()
                    _cut(client)
                    continue
                upstream = socket.create_connection(self.broker, timeout=10)
                upstream.settimeout(None)
                self._sockets += [client, upstream]
            self.connected.set()
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(source, target), daemon=True).start()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    _cut(target)


def _cut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
