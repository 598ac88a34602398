"""The audience interaction channel: protocol rules, hub, host client and load generator.

Wire format: docs/interaction-protocol.md; schema: schema.json (this folder).
"""
