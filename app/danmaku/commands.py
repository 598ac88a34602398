"""The windows' actions on the audience pipeline, one typed dataclass each (issue #17).

An action crosses to the pipeline (and into the journal) as its name and a JSON object of
arguments; `parse` turns that into the command's dataclass, so a misspelt action or argument is
refused with a plain message before anything runs, and the pipeline dispatches on the class,
never on a name it builds at run time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Command:
    action: ClassVar[str] = ""
    #: False: applied but not journaled (its effect is journaled as another command, or none).
    journaled: ClassVar[bool] = True

    def args(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class BlockLists(Command):
    action = "block_lists"
    words: list[str]
    users: list[str]


@dataclass(frozen=True, slots=True)
class BlockWord(Command):
    action = "block_word"
    word: str


@dataclass(frozen=True, slots=True)
class UnblockWord(Command):
    action = "unblock_word"
    word: str


@dataclass(frozen=True, slots=True)
class BlockUser(Command):
    action = "block_user"
    user_id: str


@dataclass(frozen=True, slots=True)
class UnblockUser(Command):
    action = "unblock_user"
    user_id: str


@dataclass(frozen=True, slots=True)
class BlockSenders(Command):
    """Journaled as the `BlockLists` it resolves to (a resumed show has no senders)."""

    action = "block_senders"
    journaled = False
    line_id: int
    user_id: str


@dataclass(frozen=True, slots=True)
class SetFilterOptions(Command):
    action = "set_filter_options"
    options: dict[str, Any] = field(default_factory=dict)

    def args(self) -> dict[str, Any]:
        return dict(self.options)


@dataclass(frozen=True, slots=True)
class Delete(Command):
    action = "delete"
    line_id: int


@dataclass(frozen=True, slots=True)
class Pin(Command):
    action = "pin"
    question_id: int


@dataclass(frozen=True, slots=True)
class Unpin(Command):
    action = "unpin"


@dataclass(frozen=True, slots=True)
class Answer(Command):
    action = "answer"
    question_id: int


@dataclass(frozen=True, slots=True)
class Dismiss(Command):
    action = "dismiss"
    question_id: int


@dataclass(frozen=True, slots=True)
class Reopen(Command):
    action = "reopen"
    question_id: int


@dataclass(frozen=True, slots=True)
class Merge(Command):
    action = "merge"
    source_ids: list[int]
    target_id: int


@dataclass(frozen=True, slots=True)
class Bookmark(Command):
    action = "bookmark"
    label: str


@dataclass(frozen=True, slots=True)
class Hub(Command):
    action = "hub"
    hub_id: str


@dataclass(frozen=True, slots=True)
class Search(Command):
    action = "search"
    journaled = False
    query: str


@dataclass(frozen=True, slots=True)
class SaleStart(Command):
    """`countdown_ms` from now on the room clock; journaled with the `opens_at` it resolved to,
    so a resumed show keeps the same zero."""

    action = "sale_start"
    sale_id: str
    product: dict[str, Any]
    units: int
    per_viewer: int = 1
    countdown_ms: int = 0
    opens_at: int | None = None


@dataclass(frozen=True, slots=True)
class SaleCancel(Command):
    action = "sale_cancel"
    sale_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SaleExtend(Command):
    action = "sale_extend"
    sale_id: str
    extra_ms: int
    reason: str = ""
    opens_at: int | None = None


@dataclass(frozen=True, slots=True)
class LotteryStart(Command):
    """Journaled with the window it resolved to and the secret seed, so a resumed show has the
    same commitment (the journal stays on the console)."""

    action = "lottery_start"
    lottery_id: str
    keyword: str
    window_ms: int
    winners: int
    prize: str = ""
    match: str = "normalised"
    buyers_only: bool = False
    start_ms: int | None = None
    seed: str | None = None


@dataclass(frozen=True, slots=True)
class LotteryDraw(Command):
    action = "lottery_draw"
    lottery_id: str


COMMANDS: dict[str, type[Command]] = {
    c.action: c
    for c in (
        BlockLists,
        BlockWord,
        UnblockWord,
        BlockUser,
        UnblockUser,
        BlockSenders,
        SetFilterOptions,
        Delete,
        Pin,
        Unpin,
        Answer,
        Dismiss,
        Reopen,
        Merge,
        Bookmark,
        Hub,
        Search,
        SaleStart,
        SaleCancel,
        SaleExtend,
        LotteryStart,
        LotteryDraw,
    )
}


def parse(action: str, args: dict[str, Any]) -> Command:
    """The command `action` names, built from `args`; ValueError in plain words if either is
    wrong."""
    kind = COMMANDS.get(action)
    if kind is None:
        raise ValueError(f"unknown action: {action}")
    if kind is SetFilterOptions:
        return SetFilterOptions(dict(args))
    names = {f.name for f in fields(kind)}
    unknown = sorted(set(args) - names)
    if unknown:
        raise ValueError(f"{action}: unknown argument {', '.join(unknown)}")
    try:
        return kind(**args)
    except TypeError:
        missing = sorted(n for n in names if n not in args)
        raise ValueError(f"{action}: missing argument {', '.join(missing)}") from None
