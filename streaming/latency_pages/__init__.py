"""The pages and scripts a headless Chromium runs for the latency benches (package data, read by
`streaming/latency_probe.py`)."""
