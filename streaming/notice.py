"""Messages for the host that stay translatable on their way up from the layers without Qt.

A `Notice` is a `str` (its English text: logs, tests and callers that only want text keep
working) that also remembers its template and arguments, so the console can translate it where
it is shown (`app.i18n.translated`, context "Notice"). `python -m app.i18n_update` collects the
templates by reading `Notice("...")` and `template("...")` calls, so templates are literal
strings.
"""

from __future__ import annotations

from typing import Any


class Notice(str):
    """A host-facing message: English `template.format(**args)`, translated later."""

    template: str
    args: dict[str, Any]

    def __new__(cls, template: str, **args: Any) -> Notice:
        notice = super().__new__(cls, template.format(**args))
        notice.template, notice.args = template, args
        return notice

    def __reduce__(self) -> tuple[Any, ...]:  # copies and pickles keep the template
        return (_rebuild, (self.template, self.args))


def template(text: str) -> str:
    """Marks a literal kept in a table as a `Notice` template, for the collector."""
    return text


def _rebuild(template: str, args: dict[str, Any]) -> Notice:
    return Notice(template, **args)


def message_of(exc: BaseException) -> str:
    """The message an exception was raised with, its `Notice` kept (`str(exc)` drops it)."""
    message = getattr(exc, "message", None)
    if isinstance(message, str):
        return message
    if len(exc.args) == 1 and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc)
