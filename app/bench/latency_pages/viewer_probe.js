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
