// The viewer page's danmaku box: send danmaku, see others' scroll over the video, see what the
// host pinned or announced. Speaks docs/interaction-protocol.md over /ws/viewer.
// Everything a user typed is shown with textContent — never innerHTML.
// `window.LiveDeskDanmaku` exposes the connection and lane state for tests and curious viewers.
//
// Readable at any rate: lines scroll in lanes at one steady speed (so a line never catches the
// one ahead), a lane takes its next line only once the last one has fully entered, at most a
// reader's pace of lines start each second, and what does not fit waits in a short queue from
// which stale and the oldest lines are dropped (never the viewer's own). Questions go first,
// but take at most a third of the lines while there is chatter, so the room reads as a room. A busy room is thus
// sampled to what fits instead of piling up at the edge, and every line that starts crosses
// the whole screen, leaving the lower part of the video clear.
"use strict";

(function () {
  const script = document.currentScript;
  const SECONDS_ACROSS = 7;     // a line crosses the overlay in about this long…
  const MIN_SPEED = 90;         // …but never slower than this (px/s), on a phone
  const GAP_PX = 28;            // space between one line's tail and the next in a lane
  const LANE_AREA = 0.6;        // lanes use the top 60 %: the pinned card sits below
  const MAX_LANES = 12;
  const LINES_PER_S = [4, 10];  // a reader's pace: from a phone to a wide screen
  const QUESTION_SHARE = 1 / 3; // of the lines started, at most this many questions
  const MAX_WAITING = 40;       // lines waiting for a lane; beyond this chatter is dropped
  const STALE_MS = 4000;        // chatter that waited this long is no longer news…
  const STALE_QUESTION_MS = 8000;  // …and a question this long
  const PUMP_MS = 100;
  const SALE_CODES = ["sold_out", "order_limit", "sale_not_open", "sale_cancelled"];
  // Control, bidi and zero-width characters: they would reorder or hide text on screen.
  const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u061c\ufeff]/g;
  const ZH = (navigator.languages || [navigator.language || ""]).some((l) => /^zh/i.test(l));
  const TEXT = ZH ? {
    placeholder: "发条弹幕…", send: "发送", pinned: "主播置顶", question: "问",
    disconnected: "聊天已断开，正在重连…", notConnected: "还没连上聊天，请稍后再试。",
    won: "🎉 你中奖了：", drawn: "已开奖：", lottery: (k, p) => `抽奖：发送“${k}”赢取 ${p}`,
    seconds: "秒",
    errors: { rate_limited: "发得太快了，请慢一点。", too_big: "这条太长了。" },
  } : {
    placeholder: "Say something…", send: "Send", pinned: "Pinned by the host", question: "Q",
    disconnected: "Chat disconnected — reconnecting…",
    notConnected: "Not connected to the chat yet — try again in a moment.",
    won: "🎉 You won: ", drawn: "Lottery drawn: ",
    lottery: (k, p) => `Lottery: type “${k}” to win ${p}`, seconds: "s", errors: {},
  };
  const state = { connected: false, user: null, sent: 0, shown: 0, dropped: 0, errors: [],
                  pinned: null, announcement: "", ws: null, lanes: 0, speed: 0, pace: 0,
                  waiting: 0,
                  lifetimes: [], onScreen: 0, maxOnScreen: 0 };
  window.LiveDeskDanmaku = state;

  // ---- the page parts -------------------------------------------------------------------
  const style = document.createElement("style");
  style.textContent = `
    #danmaku .dm { position: absolute; left: 100%; white-space: pre;
      font-size: clamp(1.1rem, 0.9rem + 0.6vw, 1.6rem);
      line-height: 1.5; color: #fff; text-shadow: 0 0 3px #000, 0 0 2px #000;
      will-change: transform; }
    #danmaku .dm.mine { color: #ffe066; outline: 1px solid rgba(255,224,102,0.7);
      border-radius: 0.3rem; padding: 0 0.3rem; }
    #danmaku .dm.q { color: #ffd166; background: rgba(0,0,0,0.45);
      border: 1px solid rgba(255,183,3,0.8); border-radius: 0.9rem;
      padding: 0 0.6rem 0 0.2rem; }
    #danmaku .dm.q::before { content: attr(data-badge); display: inline-block;
      background: #ffb703; color: #1a1200; text-shadow: none; border-radius: 0.7rem;
      padding: 0 0.4rem; margin-right: 0.35rem; font-size: 0.8em; font-weight: 700; }
    #dm-board { position: absolute; left: 0.6rem; right: 0.6rem; bottom: 0.6rem;
      display: flex; flex-direction: column; align-items: flex-start; gap: 0.4rem;
      pointer-events: none; }
    #dm-board > div { max-width: min(40rem, 100%); box-sizing: border-box;
      background: rgba(0,0,0,0.72); color: #fff; padding: 0.35rem 0.6rem;
      border-radius: 0.4rem; white-space: pre-wrap; overflow-wrap: anywhere; }
    #dm-board > div:empty { display: none; }
    #dm-pin { border-left: 4px solid #ffb703; font-size: 1.05rem; }
    #dm-pin-label { display: block; font-size: 0.75rem; color: #ffb703; font-weight: 700;
      letter-spacing: 0.05em; }
    #dm-form { display: flex; gap: 0.5rem; align-items: center; flex: 1 1 18rem; min-width: 0; }
    #dm-input { flex: 1 1 auto; min-width: 0; font: inherit; padding: 0.35rem 0.5rem; }
    #dm-send { flex: none; }
    #dm-note { flex-basis: 100%; font-size: 0.85rem; color: #fc6; }
    #dm-note:empty { display: none; }
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
  const pinLabel = document.createElement("span");
  pinLabel.id = "dm-pin-label";
  const pinText = document.createElement("span");
  pinText.id = "dm-pin-text";
  const announceEl = document.createElement("div");
  announceEl.id = "dm-announcement";
  const eventEl = document.createElement("div");
  eventEl.id = "dm-event";
  board.append(eventEl, announceEl, pinEl);
  (overlay.parentElement || document.body).appendChild(board);

  const form = document.createElement("form");
  form.id = "dm-form";
  const input = document.createElement("input");
  input.id = "dm-input";
  input.type = "text";
  input.maxLength = 200;
  input.placeholder = TEXT.placeholder;
  input.autocomplete = "off";
  input.enterKeyHint = "send";
  const button = document.createElement("button");
  button.id = "dm-send";
  button.type = "submit";
  button.textContent = TEXT.send;
  form.append(input, button);
  const note = document.createElement("span");
  note.id = "dm-note";
  const bar = document.getElementById("bar") || document.body;
  bar.append(form, note);

  function plain(text) {
    return String(text).replace(INVISIBLE, "");
  }

  function say(text) {
    note.textContent = text;
  }

  // ---- lanes ----------------------------------------------------------------------------
  let lanes = [];      // per lane: its last line (null when empty)
  let lineHeight = 30;
  const waiting = [];  // {text, mine, question, at}
  let pace = LINES_PER_S[0];
  let budget = 1;      // lines that may start now (refilled at `pace` a second)
  let pumpedAt = performance.now();
  let started = 0;
  let startedQuestions = 0;

  function layout() {
    const probe = document.createElement("div");
    probe.className = "dm";
    probe.textContent = "测";
    overlay.appendChild(probe);
    lineHeight = probe.offsetHeight || 30;
    probe.remove();
    const fit = Math.floor((overlay.clientHeight * LANE_AREA) / lineHeight);
    const count = Math.max(2, Math.min(MAX_LANES, fit));
    lanes = lanes.slice(0, count);
    while (lanes.length < count) lanes.push(null);
    state.lanes = count;
    state.speed = Math.max(MIN_SPEED, overlay.clientWidth / SECONDS_ACROSS);
    pace = Math.min(LINES_PER_S[1], Math.max(LINES_PER_S[0], overlay.clientWidth / 150));
    state.pace = pace;
  }

  // A lane is free once its last line's tail is GAP_PX inside the right edge, measured where
  // it really is: an animation that started a frame late would otherwise be caught up.
  function laneFree(k, right) {
    const last = lanes[k];
    if (!last || !last.isConnected) return true;
    return last.getBoundingClientRect().right <= right - GAP_PX;
  }

  function launch(item, laneIndex) {
    const line = document.createElement("div");
    line.className = "dm" + (item.mine ? " mine" : "") + (item.question ? " q" : "");
    if (item.question) line.dataset.badge = TEXT.question;
    line.textContent = item.text;
    line.dataset.lane = String(laneIndex);
    line.style.top = (laneIndex * lineHeight) + "px";
    overlay.appendChild(line);
    const width = line.offsetWidth;
    const distance = overlay.clientWidth + width;
    const duration = (distance / state.speed) * 1000;
    lanes[laneIndex] = line;
    const born = performance.now();
    const motion = line.animate(
      [{ transform: "translateX(0)" }, { transform: `translateX(${-distance}px)` }],
      { duration: duration, easing: "linear", fill: "forwards" });
    state.onScreen += 1;
    state.maxOnScreen = Math.max(state.maxOnScreen, state.onScreen);
    motion.onfinish = () => {
      line.remove();
      state.onScreen -= 1;
      state.lifetimes.push({ ms: performance.now() - born, planned: duration });
      if (state.lifetimes.length > 500) state.lifetimes.shift();
    };
    state.shown += 1;
  }

  function nextWaiting() {
    const questionsOk = startedQuestions < QUESTION_SHARE * (started + 1);
    const rank = (w) => (w.mine ? 3 : !w.question ? 1 : questionsOk ? 2 : 0);
    let best = 0;
    for (let k = 1; k < waiting.length; k++) {
      if (rank(waiting[k]) > rank(waiting[best])) best = k;
    }
    const item = waiting.splice(best, 1)[0];  // a question over its share only if no chatter
    started += 1;
    if (item.question) startedQuestions += 1;
    return item;
  }

  function pump() {
    const now = performance.now();
    for (let k = waiting.length - 1; k >= 0; k--) {
      const w = waiting[k];
      if (!w.mine && now - w.at > (w.question ? STALE_QUESTION_MS : STALE_MS)) {
        waiting.splice(k, 1);
        state.dropped += 1;
      }
    }
    budget = Math.min(2, budget + ((now - pumpedAt) / 1000) * pace);
    pumpedAt = now;
    const right = overlay.getBoundingClientRect().right;
    for (let k = 0; k < lanes.length && waiting.length; k++) {
      const mine = waiting.some((w) => w.mine);
      if ((budget < 1 && !mine) || !laneFree(k, right)) continue;
      budget -= 1;
      launch(nextWaiting(), k);
    }
    state.waiting = waiting.length;
  }

  function scroll(text, mine, question) {
    waiting.push({ text: plain(text), mine: mine, question: question, at: performance.now() });
    while (waiting.length > MAX_WAITING) {
      waiting.splice(waiting.findIndex((w) => !w.mine), 1);  // the oldest goes
      state.dropped += 1;
    }
    if (mine) pump();  // the viewer's own line at once; others at the next pump
  }

  layout();
  window.addEventListener("resize", layout);
  setInterval(pump, PUMP_MS);

  // ---- host broadcasts ------------------------------------------------------------------
  let countdown = null;
  function showEvent(text, endsAt) {
    clearInterval(countdown);
    const tick = () => {
      const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      eventEl.textContent = endsAt ? `${text} — ${left} ${TEXT.seconds}` : text;
      if (!left) clearInterval(countdown);
    };
    tick();
    if (endsAt) countdown = setInterval(tick, 1000);
  }

  function showPin(text) {
    state.pinned = text;
    if (text) {
      pinLabel.textContent = TEXT.pinned;
      pinText.textContent = plain(text);
      pinEl.replaceChildren(pinLabel, pinText);
    } else {
      pinEl.replaceChildren();
    }
  }

  function onEvent(m) {
    switch (m.type) {
      case "danmaku":
        if (!state.user || !m.user || m.user.id !== state.user.id) {
          scroll(m.text, false, m.kind === "question");
        }
        break;
      case "pin":
        showPin(m.text);
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
          showEvent((me ? TEXT.won : TEXT.drawn) + plain(m.prize), 0);
        } else {
          showEvent(TEXT.lottery(plain(m.keyword), plain(m.prize)), m.ends_at);
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
        if (SALE_CODES.includes(m.code)) break;  // the sale card (room.js) says these
        say(TEXT.errors[m.code] || plain(m.message));
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
      for (const m of items) {
        if (!m || typeof m !== "object") continue;
        onEvent(m);
        // The room's other parts (room.js: sale, lottery) read the same connection.
        window.dispatchEvent(new CustomEvent("livedesk:event", { detail: m }));
      }
    };
    ws.onclose = () => {
      state.connected = false;
      say(TEXT.disconnected);
      setTimeout(() => connect(url), delay);
      delay = Math.min(delay * 2, 10000);
    };
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
      say(TEXT.notConnected);
      return;
    }
    state.ws.send(JSON.stringify({ v: 1, type: "danmaku", text: text, sent_at: Date.now() }));
    state.sent += 1;
    scroll(text, true, false);
    input.value = "";
  });

  hubUrl().then(connect);
})();
