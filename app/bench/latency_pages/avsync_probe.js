// Injected into the relay's viewer page by `livedesk bench avsync`: when each flash is shown and
// when each beep is played, both as wall-clock ms (performance.timeOrigin + performance.now()).
// Picture: the mean luma of the frame's top strip (clear of show graphics) at every presented
// frame (requestVideoFrameCallback's expected display time). Sound: the stream's audio through
// Web Audio into a worklet that finds each onset (the first loud sample after 200 ms of quiet),
// mapped from the audio context's clock to the page's with getOutputTimestamp — the time that
// sample reaches the output.
window.startAvsyncProbe = async () => {
  const video = document.querySelector('video');
  const origin = performance.timeOrigin;
  const out = window.__avsync = { flashes: [], onsets: [], frames: 0, audio: 'starting' };
  const canvas = document.createElement('canvas');
  canvas.width = 32; canvas.height = 4;
  const ctx2d = canvas.getContext('2d', { willReadFrequently: true });
  let bright = false;
  function onFrame(now, meta) {
    video.requestVideoFrameCallback(onFrame);
    out.frames++;
    const strip = Math.max(1, Math.round(video.videoHeight * 0.06));
    ctx2d.drawImage(video, 0, 0, video.videoWidth, strip, 0, 0, 32, 4);
    const px = ctx2d.getImageData(0, 0, 32, 4).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) sum += 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
    const lit = sum / (px.length / 4) > 128;
    if (lit && !bright) out.flashes.push(origin + (meta.expectedDisplayTime || now));
    bright = lit;
  }
  video.requestVideoFrameCallback(onFrame);

  const worklet = `
    class Onsets extends AudioWorkletProcessor {
      constructor() { super(); this.loudAt = -1e9; }
      process(inputs) {
        const channel = inputs[0] && inputs[0][0];
        if (channel) {
          for (let i = 0; i < channel.length; i++) {
            if (Math.abs(channel[i]) > 0.1) {
              const t = currentTime + i / sampleRate;
              if (t - this.loudAt > 0.2) this.port.postMessage(t);
              this.loudAt = t;
            }
          }
        }
        return true;
      }
    }
    registerProcessor('onsets', Onsets);`;
  try {
    const context = new AudioContext({ latencyHint: 'interactive' });
    await context.audioWorklet.addModule(URL.createObjectURL(new Blob([worklet], { type: 'text/javascript' })));
    const node = new AudioWorkletNode(context, 'onsets');
    node.port.onmessage = (event) => {
      const stamp = context.getOutputTimestamp();
      out.onsets.push(origin + stamp.performanceTime + (event.data - stamp.contextTime) * 1000);
    };
    context.createMediaStreamSource(video.srcObject).connect(node);
    node.connect(context.destination);  // pulled by the graph; it writes silence
    await context.resume();
    out.audio = context.state;
    out.outputLatencyMs = Math.round(1000 * (context.outputLatency || 0));
    out.baseLatencyMs = Math.round(1000 * (context.baseLatency || 0));
  } catch (error) {
    out.audio = 'failed: ' + error;
  }
};
