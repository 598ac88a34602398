"""WHIP client (streaming/whip.py) against a strict WHIP server written here with aiohttp:
every request is checked the way RFC 9725 says, and every failure must come back as the
right error class with a message a host can act on — and without the token in it."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import web

from streaming import whip
from streaming.whip import WhipClient, parse_ice_servers

TOKEN = "s3cret-token-value"
ANSWER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
LINKS = [
    '<stun:stun.example.net:3478>; rel="ice-server"',
    '<turn:turn.example.net:3478?transport=udp>; rel="ice-server"; username="user,1"; '
    'credential="pa;ss"; credential-type="password", <https://example.net/help>; rel="help"',
]


class StrictWhipServer:
    """Accepts only well-formed WHIP requests; records what it saw."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], str]] = []
        self.etag = '"etag-1"'
        self.deleted: list[str] = []
        self.app = web.Application()
        r = self.app.router
        r.add_route("*", "/whip", self.endpoint)
        r.add_route("*", "/deep/path/whip", self.endpoint)
        r.add_post("/moved-temporarily", self.redirect(307, "/whip"))
        r.add_post("/moved-permanently", self.redirect(308, "deep/path/whip"))
        r.add_post("/loop", self.redirect(307, "/loop"))
        r.add_post("/see-other", self.redirect(303, "/whip"))
        r.add_post("/status/{code}", self.status)
        r.add_post("/slow", self.slow)
        r.add_post("/no-location", self.no_location)
        r.add_post("/not-sdp", self.not_sdp)
        r.add_route("*", "/sessions/{id}", self.resource)
        r.add_route("*", "/deep/path/sessions/{id}", self.resource)

    async def _record(self, request: web.Request) -> str:
        body = await request.text()
        self.requests.append((request.method, request.path, dict(request.headers), body))
        return body

    def _check_auth(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            raise web.HTTPUnauthorized()

    async def endpoint(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=[("Link", link) for link in LINKS])
        if request.method != "POST":
            raise web.HTTPMethodNotAllowed(request.method, ["POST", "OPTIONS"])
        self._check_auth(request)
        if request.content_type != "application/sdp" or not body.startswith("v=0"):
            raise web.HTTPBadRequest()
        headers = [
            ("Location", "sessions/abc"),
            ("ETag", self.etag),
            ("Accept-Patch", "application/trickle-ice-sdpfrag"),
            *[("Link", link) for link in LINKS],
        ]
        return web.Response(
            status=201, text=ANSWER, content_type="application/sdp", headers=headers
        )

    def redirect(self, code: int, to: str):
        async def handler(request: web.Request) -> web.Response:
            await self._record(request)
            return web.Response(status=code, headers={"Location": to})

        return handler

    async def status(self, request: web.Request) -> web.Response:
        await self._record(request)
        code = int(request.match_info["code"])
        headers = {"Retry-After": "7"} if code == 429 else {}
        return web.Response(status=code, text="nope", headers=headers)

    async def slow(self, request: web.Request) -> web.Response:
        await self._record(request)
        await asyncio.sleep(5)
        return web.Response(status=201)

    async def no_location(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.Response(status=201, text=ANSWER, content_type="application/sdp")

    async def not_sdp(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.Response(
            status=201,
            text="<html>hello</html>",
            content_type="text/html",
            headers={"Location": "/sessions/x"},
        )

    async def resource(self, request: web.Request) -> web.Response:
        await self._record(request)
        self._check_auth(request)
        if request.match_info["id"] != "abc":
            raise web.HTTPNotFound()
        if request.method == "DELETE":
            self.deleted.append(request.path)
            return web.Response(status=200)
        if request.method != "PATCH":
            raise web.HTTPMethodNotAllowed(request.method, ["PATCH", "DELETE"])
        if request.content_type != "application/trickle-ice-sdpfrag":
            raise web.HTTPUnsupportedMediaType()
        if_match = request.headers.get("If-Match")
        if if_match is None:
            raise web.HTTPPreconditionRequired()
        if if_match == "*":  # ICE restart: new credentials, new ETag, 200 with our fragment
            self.etag = '"etag-2"'
            return web.Response(
                status=200,
                text="a=ice-ufrag:new\r\na=ice-pwd:newpassword\r\n",
                content_type="application/trickle-ice-sdpfrag",
                headers={"ETag": self.etag},
            )
        if if_match != self.etag:
            raise web.HTTPPreconditionFailed()
        return web.Response(status=204)


def run(coro):
    return asyncio.run(coro)


async def _offer(url: str, token: str | None = TOKEN, **kw) -> whip.WhipSession:
    client = WhipClient(url, token, **kw)
    try:
        return await client.offer("v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\n")
    finally:
        await client.close()


@pytest.fixture
def event_loop_server():
    """The strict server on its own loop thread, so tests can drive the client with
    asyncio.run just as the publisher's loop does."""
    from streaming.loop_thread import LoopThread

    thread = LoopThread("strict-whip")
    strict = StrictWhipServer()

    async def start():
        runner = web.AppRunner(strict.app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        strict.base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return runner

    runner = thread.run(start())
    yield strict
    thread.run(runner.cleanup())
    thread.stop()


def test_post_offer_relative_location_etag_and_ice_servers(event_loop_server):
    srv = event_loop_server
    session = run(_offer(srv.base + "/whip"))
    method, path, headers, body = srv.requests[-1]
    assert (method, path) == ("POST", "/whip")
    assert headers["Content-Type"] == "application/sdp"
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert body.startswith("v=0")
    # "sessions/abc" relative to /whip
    assert session.resource_url == srv.base + "/sessions/abc"
    assert session.answer_sdp == ANSWER
    assert session.etag == '"etag-1"'
    assert session.accept_patch
    assert [s.urls for s in session.ice_servers] == [
        "stun:stun.example.net:3478",
        "turn:turn.example.net:3478?transport=udp",
    ]
    turn = session.ice_servers[1]
    assert (turn.username, turn.credential) == ("user,1", "pa;ss")


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/moved-temporarily", "/sessions/abc"),
        ("/moved-permanently", "/deep/path/sessions/abc"),  # relative redirect, relative Location
    ],
)
def test_redirects_are_followed_with_method_body_and_token(event_loop_server, path, expected):
    srv = event_loop_server
    session = run(_offer(srv.base + path))
    assert session.resource_url == srv.base + expected
    final = srv.requests[-1]
    assert final[0] == "POST" and final[3].startswith("v=0")
    assert final[2]["Authorization"] == f"Bearer {TOKEN}"


def test_redirect_loop_and_wrong_redirect_kind_are_errors(event_loop_server):
    srv = event_loop_server
    with pytest.raises(whip.WhipProtocolError, match="redirected more than"):
        run(_offer(srv.base + "/loop"))
    with pytest.raises(whip.WhipProtocolError, match="303"):
        run(_offer(srv.base + "/see-other"))


def test_options_discovers_ice_servers(event_loop_server):
    async def discover():
        client = WhipClient(event_loop_server.base + "/whip", TOKEN)
        try:
            return await client.discover_ice_servers()
        finally:
            await client.close()

    servers = run(discover())
    assert len(servers) == 2
    assert event_loop_server.requests[-1][0] == "OPTIONS"


def test_trickle_uses_etag_and_restart_uses_star_then_new_etag(event_loop_server):
    srv = event_loop_server

    async def scenario():
        client = WhipClient(srv.base + "/whip", TOKEN)
        session = await client.offer("v=0\r\n")
        await session.trickle("a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n")
        trickle = srv.requests[-1]
        answer = await session.restart_ice(
            "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
        )
        restart = srv.requests[-1]
        await session.trickle("a=end-of-candidates\r\n")  # must now carry the NEW etag
        after = srv.requests[-1]
        session.etag = '"stale"'
        with pytest.raises(whip.WhipPreconditionFailed):
            await session.trickle("a=end-of-candidates\r\n")
        await session.delete()
        await session.delete()  # idempotent: one DELETE only
        await client.close()
        return trickle, restart, after, answer

    trickle, restart, after, answer = run(scenario())
    assert trickle[0] == "PATCH" and trickle[2]["If-Match"] == '"etag-1"'
    assert trickle[2]["Content-Type"] == "application/trickle-ice-sdpfrag"
    assert restart[2]["If-Match"] == "*"
    assert "ice-ufrag:new" in answer
    assert after[2]["If-Match"] == '"etag-2"'
    assert srv.deleted == ["/sessions/abc"]


@pytest.mark.parametrize(
    "code, cls, words",
    [
        (400, whip.WhipBadRequest, "malformed"),
        (401, whip.WhipUnauthorized, "Check the token"),
        (403, whip.WhipForbidden, "not allow this token"),
        (404, whip.WhipNotFound, "Check the relay URL"),
        (409, whip.WhipConflict, "already being published"),
        (422, whip.WhipUnprocessable, "H.264"),
        (429, whip.WhipRateLimited, "in 7 s"),
        (500, whip.WhipServerError, "internal problem (HTTP 500)"),
        (503, whip.WhipServerError, "HTTP 503"),
    ],
)
def test_each_error_status_maps_to_its_class_and_message(
    event_loop_server, code, cls, words, caplog
):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(cls) as info:
        run(_offer(f"{event_loop_server.base}/status/{code}"))
    assert words in info.value.message
    assert info.value.status == code
    assert TOKEN not in info.value.message and TOKEN not in caplog.text
    if code == 429:
        assert info.value.retry_after == 7.0 and info.value.retryable
    assert info.value.retryable == (code == 429 or code >= 500)


def test_wrong_token_is_401_with_plain_message(event_loop_server):
    with pytest.raises(whip.WhipUnauthorized) as info:
        run(_offer(event_loop_server.base + "/whip", token="wrong"))
    assert "refused the token" in info.value.message


def test_timeout(event_loop_server):
    with pytest.raises(whip.WhipTimeout, match=r"did not answer within 0\.5 s"):
        run(_offer(event_loop_server.base + "/slow", timeout_s=0.5))


def test_unreachable_relay():
    with pytest.raises(whip.WhipUnreachable, match="connection refused") as info:
        run(_offer("http://127.0.0.1:9/whip/streamkey-in-path"))
    assert "streamkey" not in info.value.message  # only the origin is shown
    assert info.value.retryable


def test_missing_location_and_non_sdp_answer_are_protocol_errors(event_loop_server):
    with pytest.raises(whip.WhipProtocolError, match="no Location"):
        run(_offer(event_loop_server.base + "/no-location"))
    with pytest.raises(whip.WhipProtocolError, match="SDP"):
        run(_offer(event_loop_server.base + "/not-sdp"))


def test_not_a_url():
    with pytest.raises(whip.WhipError, match="not an http"):
        WhipClient("ftp://example.com/whip")


def test_token_not_in_repr():
    client = WhipClient("https://relay.example/whip/key123", TOKEN)
    assert TOKEN not in repr(client) and "key123" not in repr(client)


def test_link_header_parsing_edge_cases():
    servers = parse_ice_servers(
        [
            '<stun:a.example>; rel="ice-server", <turns:b.example:443?transport=tcp>; '
            'rel=ice-server; username=u; credential="c\\"q"',
            '<https://not-ice.example>; rel="ice-server"',  # not a STUN/TURN URI: ignored
            "garbage without brackets",
        ]
    )
    assert [(s.urls, s.username, s.credential) for s in servers] == [
        ("stun:a.example", None, None),
        ("turns:b.example:443?transport=tcp", "u", 'c"q'),
    ]
    assert 'c"q' not in repr(servers[1])


def test_whip_signalling_ice_servers_answer_and_delete_on_close(event_loop_server):
    from streaming.publisher import WhipSignalling

    srv = event_loop_server

    async def scenario():
        signalling = WhipSignalling(srv.base + "/whip", TOKEN)
        before = await signalling.ice_servers()  # OPTIONS before the first offer
        answer = await signalling.negotiate("v=0\r\n")
        after = await signalling.ice_servers()  # from the 201's Link headers
        await signalling.close()  # Stop: DELETE the session
        await signalling.close()  # closing twice sends nothing more
        return before, answer, after

    before, answer, after = run(scenario())
    assert (
        [s.urls for s in before]
        == [s.urls for s in after]
        == ["stun:stun.example.net:3478", "turn:turn.example.net:3478?transport=udp"]
    )
    assert answer == ANSWER
    assert [r[0] for r in srv.requests] == ["OPTIONS", "POST", "DELETE"]
    assert srv.deleted == ["/sessions/abc"]
