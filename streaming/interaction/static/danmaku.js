// The viewer page's danmaku box: send danmaku, see others' scroll over the video, see what the
// host pinned or announced. Speaks docs/interaction-protocol.md over /ws/viewer.
// Everything a user typed is shown with textContent — never innerHTML.
// `window.LiveDeskDanmaku` exposes the connection state for tests and curious viewers.
"use strict";

(function () {
  const script = document.currentScript;
  const MAX_ON_SCREEN = 40;     // density cap: the oldest scrolling line goes first
  const LANES = 10;
  const SCROLL_S = 8;
  // Control, bidi and zero-width characters: they would reorder or hide text on screen.
  const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u061c\ufeff]/g;
  const state = { connected: false, user: null, sent: 0, shown: 0, errors: [], pinned: null,
                  announcement: "", ws: null };
  window.LiveDeskDanmaku = state;

  // ---- the page parts -------------------------------------------------------------------
  const style = document.createElement("style");
  style.textContent = `
    #danmaku .dm { position: absolute; white-space: pre; right: 0; font-size: 1.3rem;
      color: #fff; text-shadow: 0 0 3px #000, 0 0 2px #000; will-change: transform;
      animation: dm-scroll ${SCROLL_S}s linear forwards; }
    #danmaku .dm.mine { color: #ffe066; }
    @keyframes dm-scroll { from { transform: translateX(100%); }
                           to { transform: translateX(calc(-100vw - 100%)); } }
    #dm-board { position: absolute; left: 0.8rem; top: 0.8rem; max-width: 60%; display: flex;
      flex-direction: column; gap: 0.4rem; pointer-events: none; }
    #dm-board > div { background: rgba(0,0,0,0.65); color: #fff; padding: 0.35rem 0.6rem;
      border-radius: 0.4rem; white-space: pre-wrap; overflow-wrap: anywhere; }
    #dm-board > div:empty { display: none; }
    #dm-pin { border-left: 4px solid #ffb703; }
    #dm-form { display: flex; gap: 0.5rem; align-items: center; flex: 1; }
    #dm-input { flex: 1; min-width: 8rem; font: inherit; padding: 0.25rem 0.5rem; }
    #dm-note { font-size: 0.85rem; color: #fc6; }
  `;
  document.head.appendChild(style);

  let overlay = document.getElementById("danmaku");
  if (!overlay) {
    overlay = document.createElement("div");
    overlay.id = "danmaku";
    overlay.style.cssText = "position:fixed;inset:0;overflow:hidden;pointer-events:none";
    document.body.appendChild(overlay);
  }
  const board = document.createElement("div");
  board.id = "dm-board";
  const pinEl = document.createElement("div");
  pinEl.id = "dm-pin";
  const announceEl = document.createElement("div");
  announceEl.id = "dm-announcement";
  const eventEl = document.createElement("div");
  eventEl.id = "dm-event";
  board.append(pinEl, announceEl, eventEl);
  (overlay.parentElement || document.body).appendChild(board);

  const form = document.createElement("form");
  form.id = "dm-form";
  const input = document.createElement("input");
  input.id = "dm-input";
  input.type = "text";
  input.maxLength = 200;
  input.placeholder = "Say something… / 发条弹幕";
  input.autocomplete = "off";
  const button = document.createElement("button");
  button.id = "dm-send";
  button.type = "submit";
  button.textContent = "Send";
  const note = document.createElement("span");
  note.id = "dm-note";
  form.append(input, button, note);
  (document.getElementById("bar") || document.body).appendChild(form);

  function plain(text) {
    return String(text).replace(INVISIBLE, "");
  }

  function say(text) {
    note.textContent = text;
  }

  // ---- scrolling danmaku ----------------------------------------------------------------
  let lane = 0;
  function scroll(text, mine) {
    const line = document.createElement("div");
    line.className = mine ? "dm mine" : "dm";
    line.textContent = plain(text);
    line.style.top = (lane * (100 / LANES)) + "%";
    lane = (lane + 1) % LANES;
    line.addEventListener("animationend", () => line.remove());
    overlay.appendChild(line);
    while (overlay.childElementCount > MAX_ON_SCREEN) overlay.firstElementChild.remove();
    state.shown += 1;
  }

  // ---- host broadcasts ------------------------------------------------------------------
  let countdown = null;
  function showEvent(text, endsAt) {
    clearInterval(countdown);
    const tick = () => {
      const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      eventEl.textContent = endsAt ? `${text} — ${left} s` : text;
      if (!left) clearInterval(countdown);
    };
    tick();
    if (endsAt) countdown = setInterval(tick, 1000);
  }

  function onEvent(m) {
    switch (m.type) {
      case "danmaku":
        if (!state.user || !m.user || m.user.id !== state.user.id) scroll(m.text, false);
        break;
      case "pin":
        state.pinned = m.text;
        pinEl.textContent = m.text ? "📌 " + plain(m.text) : "";
        break;
      case "announcement":
        state.announcement = m.text;
        announceEl.textContent = plain(m.text);
        break;
      case "countdown":
        showEvent(plain(m.label), m.ends_at);
        break;
      case "lottery":
        if (m.winners && m.winners.length) {
          const me = state.user && m.winners.includes(state.user.id);
          showEvent(me ? `🎉 You won: ${plain(m.prize)}` : `Lottery drawn: ${plain(m.prize)}`, 0);
        } else {
          showEvent(`Lottery: type “${plain(m.keyword)}” to win ${plain(m.prize)}`, m.ends_at);
        }
        break;
      case "product":
        showEvent(`🛒 ${plain(m.title)} ¥${Number(m.price).toFixed(2)}`, 0);
        break;
      case "welcome":
        state.user = m.user;
        break;
      case "error":
        state.errors.push(m.code);
        say(plain(m.message));
        break;
      default:
        break; // viewer_count, join, and types from newer hubs
    }
  }

  // ---- the connection -------------------------------------------------------------------
  function hubUrl() {
    if (script && script.dataset.ws) return Promise.resolve(script.dataset.ws);
    const fallback = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/viewer";
    return fetch("/info").then((r) => (r.ok ? r.json() : {}))
      .then((info) => info.interaction || fallback, () => fallback);
  }

  let delay = 500;
  function connect(url) {
    const ws = new WebSocket(url);
    state.ws = ws;
    ws.onopen = () => { state.connected = true; delay = 500; say(""); };
    ws.onmessage = (msg) => {
      let items;
      try { items = JSON.parse(msg.data); } catch (e) { return; }
      if (!Array.isArray(items)) items = [items];
      for (const m of items) if (m && typeof m === "object") onEvent(m);
    };
    ws.onclose = () => {
      state.connected = false;
      say("Chat disconnected — reconnecting…");
      setTimeout(() => connect(url), delay);
      delay = Math.min(delay * 2, 10000);
    };
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
      say("Not connected to the chat yet — try again in a moment.");
      return;
    }
    state.ws.send(JSON.stringify({ v: 1, type: "danmaku", text: text, sent_at: Date.now() }));
    state.sent += 1;
    scroll(text, true);
    input.value = "";
  });

  hubUrl().then(connect);
})();
