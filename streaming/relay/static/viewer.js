// The viewer page: plays the relay's stream over WHEP and says plainly what is happening.
// States: connecting → waiting (no host yet) → playing → ended (host stopped) / error.
// `window.livedesk` exposes the peer connection and state for tests and curious viewers.
"use strict";

(function () {
  const video = document.getElementById("video");
  const statusEl = document.getElementById("status");
  const unmute = document.getElementById("unmute");
  const state = { pc: null, resource: null, state: "connecting", live: false,
                  lastFrames: 0, lastProgress: 0 };
  window.livedesk = state;
  // Chinese for viewers whose browser prefers it, English otherwise.
  const ZH = (navigator.languages || [navigator.language || ""]).some((l) => /^zh/i.test(l));
  const T = ZH ? {
    connecting: "连接中…", waiting: "等待主播开播…", playing: "直播中", ended: "直播已结束",
    unreachable: "直播已结束（连不上服务器）", lost: "与服务器的连接断开，正在重试…",
    cannot: "无法播放：", soundOn: "打开声音", soundOff: "关闭声音", title: "LiveDesk 直播",
  } : {
    connecting: "Connecting…", waiting: "Waiting for the host to go live…", playing: "Playing",
    ended: "Stream ended", unreachable: "Stream ended (relay unreachable)",
    lost: "Connection to the relay lost — retrying…", cannot: "Cannot play: ",
    soundOn: "Sound on", soundOff: "Sound off", title: "LiveDesk — live",
  };
  document.documentElement.lang = ZH ? "zh-CN" : "en";
  document.title = T.title;
  unmute.textContent = T.soundOn;

  function show(name, text) {
    state.state = name;
    statusEl.dataset.state = name;
    statusEl.textContent = text;
  }

  unmute.addEventListener("click", () => {
    video.muted = !video.muted;
    unmute.textContent = video.muted ? T.soundOn : T.soundOff;
    video.play().catch(() => {});
  });

  function gathered(pc, ms) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
      pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, ms);
    });
  }

  async function connect() {
    show("connecting", T.connecting);
    const pc = new RTCPeerConnection();
    state.pc = pc;
    const stream = new MediaStream();
    // A <video> waiting for its first frame holds back the page's load event; attach the
    // stream only after load, so the page counts as loaded even before the host is live.
    const attach = () => { video.srcObject = stream; video.play().catch(() => {}); };
    if (document.readyState === "complete") attach();
    else window.addEventListener("load", attach, { once: true });
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
    pc.ontrack = (event) => { stream.addTrack(event.track); video.play().catch(() => {}); };
    pc.onconnectionstatechange = () => {
      if (pc !== state.pc) return;
      if (pc.connectionState === "failed" || pc.connectionState === "closed") {
        show("error", T.lost);
        retry();
      }
    };
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc, 2000);
    const response = await fetch("/whep", {
      method: "POST", headers: { "Content-Type": "application/sdp" },
      body: pc.localDescription.sdp,
    });
    if (response.status !== 201) {
      throw new Error("the relay refused to play (" + response.status + "): " +
                      (await response.text()).slice(0, 200));
    }
    state.resource = new URL(response.headers.get("Location"), response.url).href;
    await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
  }

  let retrying = false;
  function retry() {
    if (retrying) return;
    retrying = true;
    if (state.pc) { state.pc.close(); state.pc = null; }
    setTimeout(() => { retrying = false; start(); }, 2000);
  }

  async function start() {
    try {
      await connect();
    } catch (err) {
      show("error", T.cannot + err.message);
      retry();
    }
  }

  async function framesDecoded() {
    if (!state.pc) return 0;
    let frames = 0;
    (await state.pc.getStats()).forEach((report) => {
      if (report.type === "inbound-rtp" && report.kind === "video") frames = report.framesDecoded || 0;
    });
    return frames;
  }

  // Once a second: is the host live (the relay says), and are pictures arriving (we see)?
  async function tick() {
    try {
      const status = await (await fetch("/status", { cache: "no-store" })).json();
      state.live = status.live;
      const frames = await framesDecoded();
      if (frames > state.lastFrames) state.lastProgress = Date.now();
      state.lastFrames = frames;
      const moving = Date.now() - state.lastProgress < 2000;
      if (state.state === "error") return;
      if (!status.live) {
        if (state.state === "playing" || state.state === "ended") show("ended", T.ended);
        else show("waiting", T.waiting);
      } else if (moving) {
        show("playing", T.playing);
      } else if (state.state !== "connecting") {
        show("connecting", T.connecting);
      }
    } catch (err) {
      if (state.state === "playing") show("ended", T.unreachable);
    }
  }

  window.addEventListener("beforeunload", () => {
    if (state.resource) fetch(state.resource, { method: "DELETE", keepalive: true }).catch(() => {});
  });

  start();
  setInterval(tick, 1000);
})();
