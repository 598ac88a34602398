<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AudienceViews</name>
    <message>
        <source>Questions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assistant window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to audience hub…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audience</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume the show?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last show did not close properly. Resume it, with its question queue, filters and counters, and read the messages that arrived meanwhile?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audience hub</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host endpoint (ws://…/ws/host):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Danmaku lines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Speed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FilterList</name>
    <message>
        <source>Add filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Filters</name>
    <message>
        <source>Colour correction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sharpen</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GoLiveFeature</name>
    <message>
        <source>Go live</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LayerPanel</name>
    <message>
        <source>Add layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bring forward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send backward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Position and size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer name:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Preview the raw camera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the camera as captured instead of the program viewers see</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MixerPanel</name>
    <message>
        <source>Program mix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProgramFeature</name>
    <message>
        <source>Scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audio mix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Studio mode is off: the next scene is prepared here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next scene (studio)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Properties</name>
    <message>
        <source>%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 dB under the threshold turns the sound down by this many dB; large = hard gate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>6 dB back in 12 ms at 500 dB/s: a click or plosive ducks little speech.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A font family installed on this computer; empty = default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accent colour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alignment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Amount</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asked by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic (adapts to the room)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic gain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic tells the room (steady noise, clicks, voices, music) and treats each its own way; spectral gating suits steady noise only; RNNoise adds 10 ms of delay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brightness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ceiling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Centre</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contrast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Countdown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Crop bottom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Crop left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Crop right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Crop top</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty when there is no flash sale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ends at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fall time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill (crop to shape)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit inside (keep shape)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flash price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow the room</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Font</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gamma</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gate / expander</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Height</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How far kept music is lowered while you speak.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In a room with music, keep it and only lower it while you speak.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep learning the room&apos;s noise in speech pauses.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep music</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LUFS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Least gain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left colour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Magenta (+) or green (−)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Most gain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Music under the voice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Noise suppression</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outline colour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PK scoreboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Panel colour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pinned question</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Product card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Product name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Product picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Question</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quieter sound never counts as speech, so the gain does not move for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quietest speech</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RMS over 1 ms; below it the sound is turned down.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RNNoise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Radius</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ratio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Right colour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Right score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Right side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rise time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rotation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saturation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scaling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send its sound to the program mix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shadow colour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shadow distance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Short-term loudness the voice is brought to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spectral gating (steady noise)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stock left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stretch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target loudness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text colour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The most any sound is turned down.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>True-peak limiter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unix time the sale ends; 0 = not started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warmer (+) or cooler (−)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>While the gain comes down (too-loud speech is corrected faster).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>While the gain goes up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Width</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Winners</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Winners banner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>X</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Y</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>camera = the camera picked in Devices; or camera:N, a file path, rtsp://…, srt://…, screen:N, test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dB/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dBFS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dBTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>°</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PropertyForm</name>
    <message>
        <source>Browse…</source>
        <extracomment>A validated copy of the settings after each edit by the person.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ScenePanel</name>
    <message>
        <source>Add</source>
        <extracomment>The scene whose layers the Layers panel edits (the one on air, or the prepared one).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move the scene up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move the scene down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cut</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Studio mode (prepare the next scene, then Take)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put the prepared scene on air</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Canvas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transition</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hotkey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ON AIR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scene name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename scene</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VoiceFeature</name>
    <message>
        <source>Voice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voice: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VoicePanel</name>
    <message>
        <source>Learn this room</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stay quiet for {seconds} s while the microphone listens to the room.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Room: —</source>
        <extracomment>One generated form per registered stage, by stage name.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Noise suppression is off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RNNoise removes what is not speech; choose Automatic to have the room told.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Room: listening…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for sound from the microphone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Room: quiet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Room: steady noise (fan, hum, traffic)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Room: clicks and rustle (keys, taps, parcels)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Room: other people talking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Room: music</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spectral gating removes the steady part of the noise.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Little to remove: a light touch.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The learned room noise is removed under your voice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clicks are removed as they happen; your voice is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other voices are lowered gently so yours is never cut.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The music is removed under your voice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The music is kept, and lowered {db} dB while you speak.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listening to the room… please stay quiet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Room learned (keeps adapting in pauses).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Room not learned yet (estimated automatically); learn it for the best result.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
