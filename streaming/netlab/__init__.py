"""An impaired network path for tests and benches: network namespaces joined through a
userspace impairment stage (bandwidth, loss, delay, jitter) — real sockets, real queues, with
nothing in the publisher's code."""
