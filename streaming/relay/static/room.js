// The viewer page's live-commerce room: the flash-sale card (countdown on the room's clock, live
// stock, a buy button armed for zero) and the keyword lottery (keyword, time left, the draw's
// commitment, winners). Speaks docs/interaction-protocol.md through danmaku.js's connection
// (events arrive as `livedesk:event`); user-supplied text is shown with textContent only.
// `window.LiveDeskRoom` exposes the clock estimate and what happened when, for tests.
"use strict";

(function () {
  const ZH = (navigator.languages || [navigator.language || ""]).some((l) => /^zh/i.test(l));
  const TEXT = ZH ? {
    viewers: "人在看", like: "点赞",
    buy: "立即抢购", soon: "即将开抢", soldOut: "已售罄", cancelled: "已取消", left: "剩余",
    units: "件", ordered: "已下单，请在链接完成付款", link: "去付款", seconds: "秒",
    opensIn: "距开抢", lottery: "口令抽奖", send: "发送口令", timeLeft: "剩余时间",
    closed: "参与已截止，等待开奖", winners: "中奖名单", you: "🎉 你中奖了！",
    commitment: "公正承诺（SHA-256）", entrants: "参与人数",
    result: "开奖结果文件（可用 livedesk lottery verify 校验）",
    errors: { sold_out: "已售罄", order_limit: "已达每人限购数量", sale_not_open: "还没开抢，请等倒计时结束",
              sale_cancelled: "本次秒杀已取消", rate_limited: "点得太快了，请稍等" },
  } : {
    viewers: "watching", like: "Like",
    buy: "Buy now", soon: "Opens soon", soldOut: "Sold out", cancelled: "Cancelled",
    left: "Left:", units: "", ordered: "Ordered — pay with the link", link: "Pay now",
    seconds: "s", opensIn: "Opens in", lottery: "Keyword lottery", send: "Send the keyword",
    timeLeft: "Time left", closed: "Entries closed — the draw is coming", winners: "Winners",
    you: "🎉 You won!", commitment: "Fairness commitment (SHA-256)", entrants: "Entrants",
    result: "Result file (check it with livedesk lottery verify)",
    errors: { sold_out: "Sold out", order_limit: "You have bought the most this sale allows",
              sale_not_open: "Not open yet — wait for the countdown",
              sale_cancelled: "This sale was cancelled", rate_limited: "Too fast — wait a moment" },
  };
  const CLOCK_BURST = 8;
  const CLOCK_EVERY_MS = 10000;
  const room = { offset: 0, rtt: null, samples: [], sale: null, stock: {}, liveAt: null, liveWall: null,
                 soldOutAt: null, lottery: null, notes: [], viewers: null, likes: 0 };
  window.LiveDeskRoom = room;

  // ---- the room clock: NTP-style exchanges, the median offset of the lowest-RTT quarter ----
  function now() { return Date.now() + room.offset; }
  function onTime(m) {
    const t3 = Date.now();
    const rtt = (t3 - m.t0) - (m.t2 - m.t1);
    if (rtt < 0) return;
    room.samples.push({ offset: ((m.t1 - m.t0) + (m.t2 - t3)) / 2, rtt: rtt });
    if (room.samples.length > 32) room.samples.shift();
    const best = room.samples.slice().sort((a, b) => a.rtt - b.rtt)
      .slice(0, Math.max(1, Math.floor(room.samples.length / 4)));
    const offsets = best.map((s) => s.offset).sort((a, b) => a - b);
    room.offset = offsets[Math.floor(offsets.length / 2)];
    room.rtt = best[0].rtt;
    arm();
  }
  function ask() {
    const ws = window.LiveDeskDanmaku && window.LiveDeskDanmaku.ws;
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ v: 1, type: "time", t0: Date.now() }));
    }
  }
  let asked = 0;
  (function clockLoop() {
    ask();
    asked += 1;
    setTimeout(clockLoop, asked < CLOCK_BURST ? 150 : CLOCK_EVERY_MS);
  })();

  // ---- the page parts ---------------------------------------------------------------------
  const style = document.createElement("style");
  style.textContent = `
    #room { position: absolute; top: 0.5rem; right: 0.5rem; width: min(16rem, calc(100% - 1rem));
      display: flex; flex-direction: column; gap: 0.5rem; z-index: 2; }
    #room .card { background: rgba(20,20,20,0.88); color: #fff; border-radius: 0.6rem;
      padding: 0.5rem 0.65rem; box-sizing: border-box; overflow-wrap: anywhere; }
    #room [hidden] { display: none; }  /* over any display rule below */
    #sale-title { font-weight: 700; }
    #sale-price { color: #ff4d4f; font-size: 1.3rem; font-weight: 800; }
    #sale-was { color: #aaa; text-decoration: line-through; margin-left: 0.4rem; font-size: 0.85rem; }
    #sale-countdown { font-variant-numeric: tabular-nums; font-size: 1.1rem; }
    #sale-buy { width: 100%; margin-top: 0.3rem; font: inherit; font-weight: 700; padding: 0.45rem;
      border: 0; border-radius: 0.4rem; background: #ff4d4f; color: #fff; }
    #sale-buy:disabled { background: #666; color: #ddd; }
    #sale-note, #lottery-note { font-size: 0.85rem; color: #ffd666; }
    #sale-link { color: #69c0ff; }
    #lottery-keyword { font-size: 1.2rem; font-weight: 800; color: #ffd666; }
    #lottery-commitment { font-family: monospace; font-size: 0.7rem; color: #aaa; word-break: break-all; }
    #lottery-send { font: inherit; margin-top: 0.3rem; }
    #lottery-winners { margin: 0.2rem 0 0; padding-left: 1.2rem; }
    #lottery-result { display: block; margin-top: 0.3rem; font-size: 0.8rem; color: #8cc8ff; }
    #room-viewers { position: absolute; top: 0.5rem; left: 0.5rem; z-index: 2; background: rgba(0,0,0,0.6);
      color: #fff; border-radius: 1rem; padding: 0.15rem 0.6rem; font-size: 0.85rem; }
    #room-viewers:empty { display: none; }
    #room-like { position: absolute; right: 0.6rem; bottom: 0.6rem; z-index: 2; width: 3rem; height: 3rem;
      border-radius: 50%; border: 0; background: #ff4d6d; color: #fff; font-size: 1.4rem; padding: 0; }
    #dm-board { right: 4.2rem; }  /* the like button keeps the bottom-right corner */
    .heart { position: absolute; right: 1.2rem; bottom: 3.6rem; z-index: 2; pointer-events: none;
      font-size: 1.4rem; animation: rise 1.6s ease-out forwards; }
    @keyframes rise { to { transform: translate(var(--dx), -12rem) scale(1.4); opacity: 0; } }
  `;
  document.head.appendChild(style);
  const stage = document.getElementById("stage") || document.body;
  const box = document.createElement("div");
  box.id = "room";
  stage.appendChild(box);
  function el(tag, id, parent) {
    const e = document.createElement(tag);
    if (id) e.id = id;
    parent.appendChild(e);
    return e;
  }
  const viewersEl = el("div", "room-viewers", stage);
  const like = el("button", "room-like", stage);
  like.type = "button";
  like.textContent = "❤";
  like.title = TEXT.like;
  like.setAttribute("aria-label", TEXT.like);
  // A burst of hearts for each press; the likes go to the hub a few at a time.
  let pendingLikes = 0;
  like.addEventListener("click", () => {
    pendingLikes += 1;
    room.likes += 1;
    for (let k = 0; k < 3; k++) {
      const heart = el("span", "", stage);
      heart.className = "heart";
      heart.textContent = ["❤", "💖", "💗"][k];
      heart.style.setProperty("--dx", `${(Math.random() - 0.5) * 6}rem`);
      heart.style.animationDelay = `${k * 0.12}s`;
      heart.addEventListener("animationend", () => heart.remove());
    }
  });
  setInterval(() => {
    const ws = window.LiveDeskDanmaku && window.LiveDeskDanmaku.ws;
    if (!pendingLikes || !ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ v: 1, type: "like", count: Math.min(pendingLikes, 1000) }));
    pendingLikes = 0;
  }, 500);

  const saleCard = el("div", "sale", box);
  saleCard.className = "card";
  saleCard.hidden = true;
  const saleTitle = el("div", "sale-title", saleCard);
  const priceRow = el("div", "", saleCard);
  const salePrice = el("span", "sale-price", priceRow);
  const saleWas = el("span", "sale-was", priceRow);
  const saleStock = el("div", "sale-stock", saleCard);
  const saleCountdown = el("div", "sale-countdown", saleCard);
  const buy = el("button", "sale-buy", saleCard);
  buy.type = "button";
  const saleLink = el("a", "sale-link", saleCard);
  saleLink.hidden = true;
  saleLink.target = "_blank";
  saleLink.rel = "noopener noreferrer";
  const saleNote = el("div", "sale-note", saleCard);

  const lotteryCard = el("div", "lottery", box);
  lotteryCard.className = "card";
  lotteryCard.hidden = true;
  el("div", "lottery-head", lotteryCard).textContent = TEXT.lottery;
  const lotteryKeyword = el("div", "lottery-keyword", lotteryCard);
  const lotteryPrize = el("div", "lottery-prize", lotteryCard);
  const lotteryLeft = el("div", "lottery-left", lotteryCard);
  const lotterySend = el("button", "lottery-send", lotteryCard);
  lotterySend.type = "button";
  lotterySend.textContent = TEXT.send;
  const lotteryCommitment = el("div", "lottery-commitment", lotteryCard);
  const lotteryNote = el("div", "lottery-note", lotteryCard);
  const lotteryWinners = el("ol", "lottery-winners", lotteryCard);
  const lotteryResult = el("a", "lottery-result", lotteryCard);
  lotteryResult.hidden = true;
  lotteryResult.textContent = TEXT.result;

  // ---- flash sale -------------------------------------------------------------------------
  let armed = null;
  function remaining() {
    const s = room.sale;
    const seen = s && room.stock[s.product_id];
    return seen ? seen.remaining : s ? s.units : 0;
  }
  // Returns the time left it painted for: the caller re-arms on that same reading (read again
  // after painting, zero could pass between the two and the link would never arm).
  function paint() {
    const s = room.sale;
    if (!s) return 0;
    const left = s.opens_at - now();
    const rem = remaining();
    saleStock.textContent = `${TEXT.left} ${rem} ${TEXT.units}`.trim();
    if (s.state === "cancelled") {
      saleCountdown.textContent = TEXT.cancelled + (s.reason ? `：${s.reason}` : "");
      buy.disabled = true;
      buy.textContent = TEXT.cancelled;
    } else if (rem <= 0) {
      saleCountdown.textContent = "";
      buy.disabled = true;
      buy.textContent = TEXT.soldOut;
      if (room.soldOutAt === null) room.soldOutAt = now();
    } else if (left > 0) {
      saleCountdown.textContent = `${TEXT.opensIn} ${(Math.ceil(left / 100) / 10).toFixed(1)} ${TEXT.seconds}`;
      buy.disabled = true;
      buy.textContent = TEXT.soon;
    } else {
      saleCountdown.textContent = "";
      if (buy.disabled && room.liveAt === null) {
        room.liveAt = now();         // on the room clock, as the page estimates it
        room.liveWall = Date.now();  // on this machine's clock (benches compare the two)
      }
      buy.disabled = false;
      buy.textContent = TEXT.buy;
      if (s.link) {
        saleLink.href = s.link;
        saleLink.textContent = TEXT.link;
        saleLink.hidden = false;
      }
    }
    return left;
  }
  // The link is armed for zero: a timer for the instant, and a frame loop as it nears.
  function arm() {
    clearTimeout(armed);
    const left = paint();
    if (left > 0) armed = setTimeout(arm, Math.min(left, 100));
  }
  function onSale(m) {
    const fresh = !room.sale || room.sale.id !== m.id;
    room.sale = m;
    if (fresh) {
      room.liveAt = null;
      room.liveWall = null;
      room.soldOutAt = null;
      saleNote.textContent = "";
      saleLink.hidden = true;
    } else if (m.reason) {
      saleNote.textContent = m.reason;
    }
    saleCard.hidden = false;
    saleTitle.textContent = m.title;
    salePrice.textContent = `¥${Number(m.flash_price).toFixed(2)}`;
    saleWas.textContent = m.price !== m.flash_price ? `¥${Number(m.price).toFixed(2)}` : "";
    arm();
  }
  function onStock(m) {
    const seen = room.stock[m.product_id];
    if (seen && m.version <= seen.version) return;  // late or reordered: never moves the count
    room.stock[m.product_id] = m;
    paint();
  }
  room.buy = function () {
    const ws = window.LiveDeskDanmaku && window.LiveDeskDanmaku.ws;
    if (!room.sale || !ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ v: 1, type: "order", product_id: room.sale.product_id, quantity: 1 }));
    saleNote.textContent = TEXT.ordered;
  };
  buy.addEventListener("click", room.buy);

  // ---- lottery ----------------------------------------------------------------------------
  let lotteryTimer = null;
  function paintLottery() {
    const l = room.lottery;
    if (!l) return;
    const left = l.ends_at - now();
    // The hub relays the console's exact count at most every 500 ms while entries are open.
    const count = l.entrant_count === undefined ? "" : ` · ${TEXT.entrants}: ${l.entrant_count}`;
    if (l.winners) {
      lotteryLeft.textContent = `${TEXT.entrants}: ${l.entrant_count ?? l.winners.length}`;
    } else if (left > 0) {
      lotteryLeft.textContent = `${TEXT.timeLeft} ${Math.ceil(left / 1000)} ${TEXT.seconds}${count}`;
    } else {
      lotteryLeft.textContent = TEXT.closed + count;
    }
    lotterySend.disabled = Boolean(l.winners) || left <= 0;
  }
  // The hub that sent the draw serves its result file (streaming/interaction/results.py).
  function resultUrl(id) {
    const ws = window.LiveDeskDanmaku && window.LiveDeskDanmaku.ws;
    const base = new URL(ws ? ws.url : location.href);
    base.protocol = base.protocol === "wss:" || base.protocol === "https:" ? "https:" : "http:";
    return new URL(`/lottery/${encodeURIComponent(id)}.json`, base).href;
  }
  function onLottery(m) {
    room.lottery = m;
    lotteryCard.hidden = false;
    lotteryKeyword.textContent = `「${m.keyword}」`;
    lotteryPrize.textContent = m.prize;
    lotteryCommitment.textContent = m.commitment ? `${TEXT.commitment}: ${m.commitment}` : "";
    lotteryWinners.replaceChildren();
    lotteryNote.textContent = "";
    lotteryResult.hidden = !m.winners;
    if (m.winners) {
      lotteryResult.href = resultUrl(m.id);
      lotteryResult.download = `lottery-${m.id}.json`;
      const me = window.LiveDeskDanmaku && window.LiveDeskDanmaku.user;
      for (const w of m.winners) el("li", "", lotteryWinners).textContent = w;
      lotteryNote.textContent = TEXT.winners + (me && m.winners.includes(me.id) ? ` — ${TEXT.you}` : "");
    }
    clearInterval(lotteryTimer);
    paintLottery();
    lotteryTimer = setInterval(paintLottery, 250);
  }
  lotterySend.addEventListener("click", () => {
    const ws = window.LiveDeskDanmaku && window.LiveDeskDanmaku.ws;
    if (room.lottery && ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ v: 1, type: "danmaku", text: room.lottery.keyword, sent_at: Date.now() }));
    }
  });

  window.addEventListener("livedesk:event", (e) => {
    const m = e.detail;
    switch (m.type) {
      case "time": onTime(m); break;
      case "sale": onSale(m); break;
      case "stock": onStock(m); break;
      case "lottery": onLottery(m); break;
      case "viewer_count":
        room.viewers = m.count;
        viewersEl.textContent = `${m.count} ${TEXT.viewers}`;
        break;
      case "error":
        if (TEXT.errors[m.code] && room.sale) {
          room.notes.push(m.code);
          saleNote.textContent = TEXT.errors[m.code];
        }
        break;
      default: break;
    }
  });
})();
