"""Hardening shared by every server LiveDesk runs (the relay, the hub, edges): who may connect
and how much (`connections`), what a request must look like and how errors are answered
(`http`), and the WebSocket rules aiohttp does not enforce (`websocket`)."""
