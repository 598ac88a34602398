"""The pages and scripts a headless Chromium runs for the latency benches (package data, read by
`app/bench/latency_probe.py`)."""
