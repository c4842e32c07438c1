"""A browser's side of the web chat, over socket.io as the widget speaks it (session
request, user messages, the bot's messages and its typing indicator), for tests that need
the web chat channel without a browser. A turn ends when the bot stops typing."""

from __future__ import annotations

import queue
from typing import Any

import socketio


class WebChat:
    def __init__(self, rasa_url: str, token: str | None = None, timeout: float = 60) -> None:
        self.timeout = timeout
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for name in ("session_confirm", "bot_uttered", "bot_typing"):
            self.client.on(name, lambda data, name=name: self.events.put((name, data)))
        self.client.connect(rasa_url, transports=["polling"], socketio_path="/socket.io")
        self.client.emit("session_request", {"session_id": token})
        self.token: str = self._next("session_confirm")

    def _next(self, wanted: str) -> Any:
        while True:
            name, data = self.events.get(timeout=self.timeout)
            if name == wanted:
                return data

    def say(self, text: str) -> str:
        """Send a message; the bot's replies to it, one per line."""
        self.client.emit("user_uttered", {"message": text, "metadata": {}})
        replies: list[str] = []
        started = False
        while True:
            name, data = self.events.get(timeout=self.timeout)
            if name == "bot_uttered":
                replies.append(str(data.get("text") or ""))
            elif name == "bot_typing":
                started = started or data.get("typing")
                if started and not data.get("typing"):
                    return "\n".join(replies)

    def close(self) -> None:
        self.client.disconnect()
