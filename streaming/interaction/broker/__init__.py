"""The interaction channel on NATS JetStream: stateless edge hubs in front of one stream per room.

`room.py` names the room's stream and subjects, `publisher.py` publishes into it (batched,
retried with the same message id until stored), `edge.py` is the edge hub itself — the embedded
hub's viewer and host protocol, with the stream in place of its in-memory log.
"""
