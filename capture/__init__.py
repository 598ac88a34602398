"""Media in: camera, microphone and file sources, and the processing stages between them and
every consumer (preview, meters, encoder, recorder)."""
