"""The embedded relay's HTTP side (WHIP/WHEP rules, tokens, PATCH/DELETE, /info) and the
`livedesk relay` / `livedesk publish` commands as an operator runs them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import aiohttp
import pytest
from aiortc import RTCPeerConnection
from golive_support import TOKEN, RunningRelay
from multidict import CIMultiDict
from waiting import wait_for


@pytest.fixture
def relay():
    running = RunningRelay()
    yield running
    running.close()


async def make_offer(direction: str) -> tuple[RTCPeerConnection, str]:
    pc = RTCPeerConnection()
    pc.addTransceiver("video", direction=direction)
    pc.addTransceiver("audio", direction=direction)
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def post(
    url: str, body: str, token: str | None = None, content_type: str = "application/sdp"
) -> tuple[int, CIMultiDict, str]:
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return response.status, CIMultiDict(response.headers), await response.text()


async def call(method: str, url: str, headers: dict | None = None, body: str = "") -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, headers=headers or {}, data=body) as response,
    ):
        return response.status


def test_whip_needs_the_token(relay):
    async def scenario():
        pc, offer = await make_offer("sendonly")
        try:
            no_token = await post(relay.info["whip"], offer)
            wrong = await post(relay.info["whip"], offer, token="nope")
        finally:
            await pc.close()
        return no_token, wrong

    (status, headers, text), (wrong_status, _, _) = asyncio.run(scenario())
    assert status == 401 and wrong_status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert "token" in text
    assert relay.relay.sessions == {}


def test_bad_requests_get_clear_statuses(relay):
    async def scenario():
        return (
            await post(relay.info["whep"], "hello", content_type="text/plain"),
            await post(relay.info["whep"], "not an sdp"),
            await post(relay.info["whip"], "v=0\r\nm=garbage\r\n", token=TOKEN),
            await call("DELETE", relay.info["whep"] + "/unknown"),
        )

    wrong_type, garbage, broken, unknown = asyncio.run(scenario())
    assert wrong_type[0] == 415
    assert garbage[0] == 400 and "SDP" in garbage[2]
    assert broken[0] in (400, 422)
    assert unknown == 404


def test_whep_session_location_etag_patch_and_delete(relay):
    async def scenario():
        pc, offer = await make_offer("recvonly")
        status, headers, answer = await post(relay.info["whep"], offer)
        resource = relay.info["whep"].rsplit("/", 1)[0] + headers["Location"]
        etag = headers["ETag"]
        frag = {"Content-Type": "application/trickle-ice-sdpfrag"}
        candidate = "a=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host\r\n"
        results = {
            "no_if_match": await call("PATCH", resource, frag, candidate),
            "stale": await call("PATCH", resource, {**frag, "If-Match": '"old"'}, candidate),
            "restart": await call("PATCH", resource, {**frag, "If-Match": "*"}, candidate),
            "trickle": await call("PATCH", resource, {**frag, "If-Match": etag}, candidate),
            "delete": await call("DELETE", resource),
            "again": await call("DELETE", resource),
        }
        await pc.close()
        return status, headers, answer, results

    status, headers, answer, results = asyncio.run(scenario())
    assert status == 201 and headers["Content-Type"].startswith("application/sdp")
    assert headers["Location"].startswith("/whep/")  # relative, as RFC 9725 allows
    assert answer.startswith("v=0") and "H264" in answer and "opus" in answer
    assert "VP8" not in answer  # one codec the publisher sends, forwarded as is
    assert results == {
        "no_if_match": 428,
        "stale": 412,
        "restart": 422,
        "trickle": 204,
        "delete": 200,
        "again": 404,
    }


def test_new_publisher_replaces_the_old_one(relay):
    async def publish_twice():
        first_pc, first = await make_offer("sendonly")
        second_pc, second = await make_offer("sendonly")
        a = await post(relay.info["whip"], first, token=TOKEN)
        b = await post(relay.info["whip"], second, token=TOKEN)
        await first_pc.close()
        await second_pc.close()
        return a, b

    a, b = asyncio.run(publish_twice())
    assert a[0] == b[0] == 201
    whip_sessions = [sid for sid, s in relay.relay.sessions.items() if s.kind == "whip"]
    assert whip_sessions == [relay.relay.publisher_id]
    assert b[1]["Location"] == f"/whip/{relay.relay.publisher_id}"


def livedesk(*args: str, env: dict | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app", *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_relay_command_prints_info_line_served_at_info():
    proc = livedesk("relay", "--port", "0")
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        assert set(info) >= {"whip", "whep", "viewer", "interaction"}
        assert info["whip"].startswith("http://127.0.0.1:")

        async def fetch():
            async with aiohttp.ClientSession() as s, s.get(info["viewer"] + "info") as r:
                return await r.json()

        assert asyncio.run(fetch()) == info
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    token = err.split("publish token (set LIVEDESK_RELAY_TOKEN to choose one): ")[1].split()[0]
    assert len(token) >= 20 and token not in line


def test_publish_command_exit_codes_and_stats_file(relay, tmp_path):
    stats = tmp_path / "stats.json"
    wrong = livedesk(
        "publish",
        "--whip",
        relay.info["whip"],
        "--token",
        "wrong",
        "--resolution",
        "360p",
        "--stats-json",
        str(stats),
    )
    _, err = wrong.communicate(timeout=60)
    assert wrong.returncode == 3, err
    assert "refused the token" in err and "wrong" not in err.replace("wrong token", "")
    doc = json.loads(stats.read_text())
    assert doc["state"] == "failed" and "refused the token" in doc["message"]

    bad_source = livedesk("publish", "--whip", relay.info["whip"], "--video", "/no/such.mp4")
    _, err = bad_source.communicate(timeout=60)
    assert bad_source.returncode == 2 and "/no/such.mp4" in err

    ok = livedesk(
        "publish",
        "--whip",
        relay.info["whip"],
        "--resolution",
        "360p",
        "--duration",
        "3",
        "--stats-json",
        str(stats),
        env={"LIVEDESK_WHIP_TOKEN": TOKEN},
    )
    _, err = ok.communicate(timeout=60)
    assert ok.returncode == 0, err
    doc = json.loads(stats.read_text())
    assert doc["state"] == "idle" and doc["live_s"] >= 2
    assert doc["summary"]["width"] == 640 and doc["summary"]["frames_sent"] > 30
    wait_for(lambda: relay.relay.publisher_id is None, 5)  # DELETE on stop


def test_publish_command_plays_a_file_as_camera_and_microphone(relay, tmp_path):
    clip = tmp_path / "clip.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x360:rate=30",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440",
            "-t",
            "2",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(clip),
        ],
        check=True,
    )
    stats = tmp_path / "stats.json"
    proc = livedesk(
        "publish",
        "--whip",
        relay.info["whip"],
        "--video",
        str(clip),
        "--audio",
        str(clip),
        "--resolution",
        "360p",
        "--duration",
        "4",
        "--stats-json",
        str(stats),
        env={"LIVEDESK_WHIP_TOKEN": TOKEN},
    )
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    summary = json.loads(stats.read_text())["summary"]
    assert (summary["width"], summary["height"]) == (640, 360)
    assert summary["frames_sent"] > 40  # the 2 s clip loops
    assert summary["median_audio_kbps"] > 10
    frames_in = relay.relay.fanout.frames_in
    assert frames_in["video"] > 40 and frames_in["audio"] > 100


def test_built_in_relay_moves_to_a_free_port_when_its_port_is_taken(relay):
    from app.golive import EmbeddedRelay

    embedded = EmbeddedRelay(relay.port)  # the port is busy: any free one instead
    try:
        assert embedded.info["whip"].startswith("http://127.0.0.1:")
        assert f":{relay.port}/" not in embedded.info["whip"]
    finally:
        embedded.stop()
