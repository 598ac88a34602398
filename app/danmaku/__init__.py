"""The danmaku pipeline: raw text frames from the interaction hub in, a validated, filtered,
classified, clustered and journaled audience stream out. Pure Python; the Qt-facing shared
state is `app.danmaku.state.AudienceState`."""
