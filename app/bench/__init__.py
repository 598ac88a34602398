"""Measurement tools shared by the `livedesk bench …` commands.

Only benches (app/cli/bench_*.py), probes and tests import this package; no product module does,
so what a measurement needs never becomes part of the console. `measure` holds the figures
(percentiles, CPU, memory), `stall_probe` the GUI-stall probe, `report` the one way a bench
prints its JSON object, `qt` the headless Qt application a bench paints into; the probes
(`frame_stamp`, `latency_probe`, `viewer_cost`) and the audience load generators (`audience`,
`blast`) with their package data live here too.
"""
