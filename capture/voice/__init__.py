"""The broadcast voice chain: noise suppression, AGC, gate/expander, true-peak limiter.

One module per stage; `chain.VoiceChain` composes them and is what the console plugs in.
"""

from capture.voice.chain import VoiceChain, VoiceLevels, process_offline
from capture.voice.settings import ChainSettings

__all__ = ["ChainSettings", "VoiceChain", "VoiceLevels", "process_offline"]
