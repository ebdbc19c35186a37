"""HTTP basic auth in front of everything the process serves: the UI, Gradio's endpoints and /api.

One ASGI middleware on the outer app, so a route cannot be forgotten. Browsers ask for the password once
and send it with every later request to the same server, including Gradio's own calls.
"""
from __future__ import annotations

import base64
import binascii
import secrets

from starlette.responses import PlainTextResponse


class BasicAuth:
    def __init__(self, app, credentials: tuple[str, str], realm: str = "news-qa"):
        self.app = app
        self.user, self.password = (c.encode() for c in credentials)
        self.challenge = f'Basic realm="{realm}", charset="UTF-8"'

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or self.allowed(scope):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            response = PlainTextResponse("Authentication required.", 401, {"WWW-Authenticate": self.challenge})
            await response(scope, receive, send)

    def allowed(self, scope) -> bool:
        header = dict(scope.get("headers") or []).get(b"authorization", b"")
        scheme, _, encoded = header.partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            user, sep, password = base64.b64decode(encoded.strip(), validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        # Both compared every time, in constant time, so timing tells nothing about which was wrong.
        ok_user = secrets.compare_digest(user, self.user)
        ok_password = secrets.compare_digest(password, self.password)
        return bool(sep) and ok_user and ok_password
