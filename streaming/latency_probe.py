"""Glass-to-glass measuring pieces: a stamped source, stamp reading at the encoder and at
viewers (aiortc, or a Chromium page), and the pages a headless Chromium runs.

Every timestamp is wall-clock milliseconds (`time.time()` in Python, `performance.timeOrigin +
performance.now()` in a page): one machine, one clock, so differences across processes are
real latencies.
"""

from __future__ import annotations

import asyncio
import json
import queue
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender, RTCSessionDescription

from capture.media import VideoFrame, now_ns
from capture.synthetic import SyntheticVideoSource
from streaming import frame_stamp
from streaming.h264 import EncodeRecord
from streaming.relay.fanout import MarkerJitterBuffer, PacketJitterBuffer

MAX_TRACKED = 4000  # frames whose timing is remembered for matching (~2 min at 30 fps)


def wall_ms() -> float:
    return time.time() * 1000.0


class StampedVideoSource(SyntheticVideoSource):
    """The synthetic test pattern with its capture time and sequence number drawn in."""

    def _produce(self, index: int) -> VideoFrame:
        frame = super()._produce(index)
        frame_stamp.draw(frame.image, int(wall_ms()), index)
        return VideoFrame(frame.image, now_ns(), index)


def read_video_frame(frame: av.VideoFrame) -> frame_stamp.Stamp | None:
    """The stamp in a decoded (or about-to-be-encoded) YUV frame, reading only the top rows
    of its luma plane."""
    plane = frame.planes[0]
    rows = frame_stamp.ROWS * frame_stamp.block_size(frame.width)
    if rows > frame.height:
        return None
    luma = np.frombuffer(memoryview(plane), np.uint8, count=rows * plane.line_size)
    return frame_stamp.read(luma.reshape(rows, plane.line_size)[:, : frame.width])


class _Bounded(OrderedDict[int, tuple[float, ...]]):
    def remember(self, key: int, value: tuple[float, ...]) -> None:
        self[key] = value
        while len(self) > MAX_TRACKED:
            self.popitem(last=False)


class EncodeTimes:
    """Observer for `streaming.h264.observe_encodes`: when each stamped frame entered and left
    the encoder, by sequence number."""

    def __init__(self) -> None:
        self.by_seq = _Bounded()
        self.presets: dict[str, int] = {}  # frames encoded with each x264 preset

    def __call__(self, record: EncodeRecord, frame: av.VideoFrame) -> None:
        self.presets[record.preset] = self.presets.get(record.preset, 0) + 1
        stamp = read_video_frame(frame)
        if stamp is not None:
            self.by_seq.remember(stamp.seq, (record.started * 1000, record.finished * 1000))


class ArrivalQueue(queue.Queue[Any]):
    """Takes the place of an aiortc receiver's decoder queue: notes when each complete encoded
    frame left the jitter buffer (by RTP timestamp), then passes it on to the decoder."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals = _Bounded()

    def put(self, item, block: bool = True, timeout: float | None = None) -> None:  # type: ignore[no-untyped-def]
        if item is not None:
            self.arrivals.remember(item[1].timestamp, (wall_ms(),))
        super().put(item, block, timeout)

    @staticmethod
    def install(receiver: RTCRtpReceiver) -> ArrivalQueue:
        """Must run before the receiver starts (before the connection comes up). The
        receiver also gets the relay's low-latency frame assembly (frames complete on the
        marker bit), as a real player's would."""
        video = receiver._RTCRtpReceiver__kind == "video"  # type: ignore[attr-defined]
        receiver._RTCRtpReceiver__jitter_buffer = (  # type: ignore[attr-defined]
            MarkerJitterBuffer(512) if video else PacketJitterBuffer()
        )
        tap = ArrivalQueue()
        receiver._RTCRtpReceiver__decoder_queue = tap  # type: ignore[attr-defined]
        return tap


@dataclass(frozen=True, slots=True)
class Sample:
    """One frame seen by a viewer. Times in wall-clock ms; None where the viewer cannot say."""

    seq: int
    captured: float
    shown: float
    arrived: float | None = None  # complete encoded frame at the viewer
    decode_ms: float | None = None
    width: int = 0
    height: int = 0


def _h264_only(kind: str) -> list[Any]:
    mime = "video/h264" if kind == "video" else "audio/opus"
    return [
        c
        for c in RTCRtpSender.getCapabilities(kind).codecs
        if c.mimeType.lower() in (mime, f"{kind}/rtx")
    ]


async def aiortc_viewer(
    negotiate: Callable[[RTCPeerConnection, Callable[[RTCRtpReceiver], None]], Awaitable[None]],
    seconds: float,
) -> list[Sample]:
    """Watch a stream with aiortc for `seconds`, reading every decoded frame's stamp.
    `negotiate(pc, tap)` does the signalling and must call `tap(receiver)` on the video
    receiver before the connection comes up."""
    pc = RTCPeerConnection()
    samples: list[Sample] = []
    taps: list[ArrivalQueue] = []
    got_track: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    @pc.on("track")
    def on_track(track) -> None:  # type: ignore[no-untyped-def]
        if track.kind == "video" and not got_track.done():
            got_track.set_result(track)

    try:
        await negotiate(pc, lambda receiver: taps.append(ArrivalQueue.install(receiver)))
        track = await asyncio.wait_for(got_track, 15)
        stop_at = wall_ms() + seconds * 1000
        while wall_ms() < stop_at:
            frame = await asyncio.wait_for(track.recv(), 10)
            shown = wall_ms()
            stamp = read_video_frame(frame)
            if stamp is None:
                continue
            arrived = taps[0].arrivals.pop(frame.pts, None) if taps else None
            samples.append(
                Sample(
                    stamp.seq,
                    frame_stamp.unwrap_ms(stamp.time_ms, int(shown)),
                    shown,
                    arrived[0] if arrived else None,
                    shown - arrived[0] if arrived else None,
                    frame.width,
                    frame.height,
                )
            )
    finally:
        await pc.close()
    return samples


def whep_negotiator(url: str) -> Callable[..., Awaitable[None]]:
    """Signalling for `aiortc_viewer` through a WHEP endpoint."""
    from streaming.whip import WhipClient

    async def negotiate(pc: RTCPeerConnection, tap: Callable[[RTCRtpReceiver], None]) -> None:
        video = pc.addTransceiver("video", direction="recvonly")
        video.setCodecPreferences(_h264_only("video"))
        pc.addTransceiver("audio", direction="recvonly")
        tap(video.receiver)
        await pc.setLocalDescription(await pc.createOffer())
        client = WhipClient(url)
        try:
            session = await client.offer(pc.localDescription.sdp)
        finally:
            await client.close()
        await pc.setRemoteDescription(RTCSessionDescription(session.answer_sdp, "answer"))

    return negotiate


def janus_negotiator(url: str, room: int, keep: list[Any]) -> Callable[..., Awaitable[None]]:
    """Signalling for `aiortc_viewer` through a Janus VideoRoom (Janus offers). The
    subscriber object is appended to `keep` so the caller can close it afterwards."""
    from streaming.janus import JanusSubscriber

    async def negotiate(pc: RTCPeerConnection, tap: Callable[[RTCRtpReceiver], None]) -> None:
        subscriber = JanusSubscriber(url, room)
        keep.append(subscriber)
        feed = await subscriber.first_publisher()
        await pc.setRemoteDescription(RTCSessionDescription(await subscriber.offer(feed), "offer"))
        for transceiver in pc.getTransceivers():
            if transceiver.kind == "video":
                tap(transceiver.receiver)
        await pc.setLocalDescription(await pc.createAnswer())
        await subscriber.answer(pc.localDescription.sdp)

    return negotiate


# -- Chromium ---------------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--headless",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    # Two pages (publisher and viewer) must both run at full rate.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
]

# Injected into a viewer page: reads the stamp of every frame the <video> presents
# (requestVideoFrameCallback), from the frame's luma through WebCodecs when it can (cheap: only
# the code's corner is copied), else from a canvas copy of that corner.
VIEWER_PROBE_JS = (
    frame_stamp.READER_JS
    + """
(() => {
  const video = document.querySelector('video');
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const origin = performance.timeOrigin;
  window.__latency = [];
  window.__latencyReader = { webcodecs: 0, canvas: 0 };
  async function read(w, h) {
    if (window.VideoFrame) {
      let frame = null;
      try {
        frame = new VideoFrame(video);
        const s = await readStampFrame(frame);
        if (s) { window.__latencyReader.webcodecs++; return s; }
      } catch (e) { /* not readable this way: use the canvas */ } finally { if (frame) frame.close(); }
    }
    const size = stampBlock(w), cw = STAMP.cols * size, ch = STAMP.rows * size;
    if (canvas.width !== cw || canvas.height !== ch) { canvas.width = cw; canvas.height = ch; }
    ctx.drawImage(video, 0, 0, cw, ch, 0, 0, cw, ch);
    const s = readStamp(ctx, w, h);
    if (s) window.__latencyReader.canvas++;
    return s;
  }
  async function onFrame(now, meta) {
    video.requestVideoFrameCallback(onFrame);
    const shown = origin + (meta.expectedDisplayTime || now);
    const received = meta.receiveTime ? origin + meta.receiveTime : null;
    const decodeMs = meta.processingDuration != null ? meta.processingDuration * 1000 : null;
    const s = await read(meta.width, meta.height);
    if (s) {
      window.__latency.push([s.seq, s.timeMs, shown, received, decodeMs, meta.width, meta.height]);
      if (window.__latency.length > 20000) window.__latency.shift();
    }
  }
  video.requestVideoFrameCallback(onFrame);
})();
"""
)

# Cumulative inbound figures of the page's peer connection (window.livedesk.pc): video, and
# audio's jitter buffer (a browser holds video back to stay in sync with the sound).
INBOUND_STATS_JS = """
async () => {
  const pc = window.livedesk && window.livedesk.pc;
  if (!pc) return null;
  let out = null, audio = null;
  (await pc.getStats()).forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') out = {
      framesDecoded: r.framesDecoded || 0, framesDropped: r.framesDropped || 0,
      jitterBufferDelay: r.jitterBufferDelay || 0,
      jitterBufferTargetDelay: r.jitterBufferTargetDelay || 0,
      jitterBufferMinimumDelay: r.jitterBufferMinimumDelay || 0,
      jitterBufferEmittedCount: r.jitterBufferEmittedCount || 0,
      totalDecodeTime: r.totalDecodeTime || 0, frameWidth: r.frameWidth || 0, jitter: r.jitter || 0,
      frameHeight: r.frameHeight || 0, decoderImplementation: r.decoderImplementation || '' };
    if (r.type === 'inbound-rtp' && r.kind === 'audio') audio = {
      jitterBufferDelay: r.jitterBufferDelay || 0,
      jitterBufferTargetDelay: r.jitterBufferTargetDelay || 0,
      jitterBufferMinimumDelay: r.jitterBufferMinimumDelay || 0,
      jitterBufferEmittedCount: r.jitterBufferEmittedCount || 0, jitter: r.jitter || 0 };
  });
  if (out) out.audio = audio;
  return out;
}
"""

_JANUS_JS = """
async function janusHandle(base) {
  const tx = () => Math.random().toString(36).slice(2);
  const post = async (url, body) => {
    body.transaction = body.transaction || tx();
    const reply = await (await fetch(url, { method: 'POST', body: JSON.stringify(body) })).json();
    if (reply.janus === 'error') throw new Error('Janus: ' + reply.error.reason);
    return reply;
  };
  const session = (await post(base, { janus: 'create' })).data.id;
  const surl = base + '/' + session;
  const hurl = surl + '/' + (await post(surl, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id;
  const waiting = {};
  (async () => {
    for (;;) {
      try {
        const events = await (await fetch(surl + '?maxev=10')).json();
        for (const ev of [].concat(events)) {
          if (ev.janus !== 'ack' && waiting[ev.transaction]) { waiting[ev.transaction](ev); delete waiting[ev.transaction]; }
        }
      } catch (e) { await new Promise((r) => setTimeout(r, 500)); }
    }
  })();
  setInterval(() => post(surl, { janus: 'keepalive' }).catch(() => {}), 25000);
  return async (body, jsep) => {
    const t = tx();
    const answer = new Promise((resolve) => { waiting[t] = resolve; });
    const reply = await post(hurl, { janus: 'message', body, jsep, transaction: t });
    const event = reply.janus === 'ack' ? await answer : reply;
    const data = event.plugindata && event.plugindata.data;
    if (data && data.error) throw new Error('Janus: ' + data.error);
    return event;
  };
}
function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
    setTimeout(resolve, 2000);
  });
}
"""

# A Janus VideoRoom viewer page (the relay's own viewer page plays WHEP only).
JANUS_VIEWER_HTML = (
    """<!doctype html><html><body style="margin:0;background:#000">
<video id="video" autoplay muted playsinline style="width:100%"></video>
<script>"""
    + _JANUS_JS
    + """
async function watch(base, room) {
  const message = await janusHandle(base);
  const list = await message({ request: 'listparticipants', room });
  const feed = list.plugindata.data.participants.find((p) => p.publisher).id;
  const pc = new RTCPeerConnection();
  window.livedesk = { pc };
  const video = document.getElementById('video');
  const stream = new MediaStream();  // sound and picture together, as the relay's page does
  video.srcObject = stream;
  pc.ontrack = (e) => { stream.addTrack(e.track); video.play().catch(() => {}); };
  const joined = await message({ request: 'join', room, ptype: 'subscriber', streams: [{ feed }] });
  await pc.setRemoteDescription(joined.jsep);
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  await message({ request: 'start' }, { type: 'answer', sdp: pc.localDescription.sdp, trickle: false });
}
</script></body></html>"""
)

# A page that publishes a canvas (test pattern + stamp, drawn 30 times a second) the way a
# browser would: captureStream, Chromium's own H.264 encoder, WHIP (or Janus) signalling.
CHROMIUM_PUBLISHER_HTML = (
    """<!doctype html><html><body style="margin:0">
<canvas id="canvas"></canvas>
<script>"""
    + frame_stamp.READER_JS
    + _JANUS_JS
    + """
let track, stream, tone = null;
function startCanvas(width, height, fps, withAudio) {
  if (withAudio) {  // a 440 Hz tone, like our publisher's test audio
    const audio = new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    gain.gain.value = 0.1;
    const out = audio.createMediaStreamDestination();
    osc.connect(gain).connect(out);
    osc.start();
    tone = out.stream.getAudioTracks()[0];
  }
  const canvas = document.getElementById('canvas');
  canvas.width = width; canvas.height = height;
  const ctx = canvas.getContext('2d');
  stream = canvas.captureStream(0);
  track = stream.getVideoTracks()[0];
  track.contentHint = 'motion';
  const t0 = performance.now();
  let seq = 0;
  function draw() {
    const offset = (seq * 8) % width;
    for (let i = 0; i < 16; i++) {
      ctx.fillStyle = 'hsl(' + (i * 22) + ',70%,50%)';
      const x = ((i * width / 8 - offset) % (2 * width) + 2 * width) % (2 * width) - width / 8;
      ctx.fillRect(x, 0, width / 8 + 1, height);
    }
    const box = height / 6;
    ctx.fillStyle = '#fff';
    ctx.fillRect((width - box) * (0.5 + 0.5 * Math.sin(seq / 23)), (height - box) * (0.5 + 0.5 * Math.sin(seq / 17)), box, box);
    drawStamp(ctx, width, performance.timeOrigin + performance.now(), seq);
    track.requestFrame();
    seq++;
    setTimeout(draw, Math.max(0, t0 + seq * 1000 / fps - performance.now()));
  }
  draw();
}
// Chromium's sender starts near 300 kbps and climbs only as the receiver's feedback allows;
// an aiortc relay's estimate keeps it low, and at a held 1080p it would then drop to a few
// frames a second. Give it the same bitrate range as our encoder, as a real deployment would
// (x-google-*-bitrate in the answer's H.264 format parameters).
function withBitrates(sdp, range) {
  const kbps = (b) => Math.round(b / 1000);
  return sdp.replace(/a=fmtp:[0-9]+ .*profile-level-id.*/g, (line) =>
    line + ';x-google-min-bitrate=' + kbps(range.min) + ';x-google-start-bitrate=' +
    kbps(range.start) + ';x-google-max-bitrate=' + kbps(range.max));
}
function newPc(maxBitrate) {
  const pc = new RTCPeerConnection();
  window.livedesk = { pc };
  const tr = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream],
                                        sendEncodings: [{ maxBitrate }] });
  if (tone) pc.addTransceiver(tone, { direction: 'sendonly', streams: [stream] });
  const caps = RTCRtpSender.getCapabilities('video').codecs;
  tr.setCodecPreferences(caps.filter((c) => (c.mimeType === 'video/H264' &&
    c.sdpFmtpLine.includes('packetization-mode=1') && c.sdpFmtpLine.includes('42e01f')) || c.mimeType === 'video/rtx'));
  return pc;
}
async function publishWhip(url, token, range) {
  const pc = newPc(range.max);
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const r = await fetch(url, { method: 'POST', body: pc.localDescription.sdp,
    headers: { 'Content-Type': 'application/sdp', 'Authorization': 'Bearer ' + token } });
  if (r.status !== 201) throw new Error('WHIP ' + r.status + ': ' + await r.text());
  await pc.setRemoteDescription({ type: 'answer', sdp: withBitrates(await r.text(), range) });
  await keepResolution(pc);
}
// Like our publisher, hold the resolution and let the frame rate give under CPU pressure
// (Chromium's default for a canvas would otherwise drop to 360p, not a like-for-like anchor).
async function keepResolution(pc) {
  for (const sender of pc.getSenders()) {
    if (!sender.track || sender.track.kind !== 'video') continue;
    const params = sender.getParameters();
    params.degradationPreference = 'maintain-resolution';
    await sender.setParameters(params);
  }
}
async function publishJanus(base, room, range) {
  const message = await janusHandle(base);
  const pc = newPc(range.max);
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const joined = await message({ request: 'joinandconfigure', room, ptype: 'publisher', display: 'Chromium' },
                               { type: 'offer', sdp: pc.localDescription.sdp, trickle: false });
  await pc.setRemoteDescription({ type: 'answer', sdp: withBitrates(joined.jsep.sdp, range) });
  await keepResolution(pc);
}
</script></body></html>"""
)


def page_samples(rows: list[list[Any]]) -> list[Sample]:
    """Samples from a probed page's `window.__latency` rows."""
    out = []
    for seq, time_ms, shown, received, decode_ms, width, height in rows:
        captured = frame_stamp.unwrap_ms(int(time_ms), int(shown))
        out.append(
            Sample(
                int(seq),
                float(captured),
                float(shown),
                None if received is None else float(received),
                None if decode_ms is None else float(decode_ms),
                int(width),
                int(height),
            )
        )
    return out


def js_call(function: str, *args: object) -> str:
    """A page expression calling `function(*args)` with JSON-encoded arguments."""
    return f"{function}({', '.join(json.dumps(a) for a in args)})"
