"""The program: the one composed picture and mix that every output carries.

`scene` (scenes, the show, JSON), `layer` (the layer contract), `kinds/` (one module per layer
kind), `compositor` (scenes → program frames, off the GUI thread), `feeds` (the newest frame of
each source), `mixer` (the program's audio), `blend` (placing pictures with OpenCV), `canvas`
(sizes and the safe area), `draw` (QPainter drawing for text and graphics).
"""
