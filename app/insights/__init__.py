"""Show insights: what the room said and did, aggregated from the show journal.

`text` finds product mentions and keywords in one message; `model` holds the aggregate and
folds partial results into it; `journal` reads a journal (read-only, streamed in SQL) into it;
`live` keeps one up to date while the show runs.
"""
