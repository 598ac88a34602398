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
