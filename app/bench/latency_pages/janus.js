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
