"""Block lists that outlive a show: blocked words and users per host account, kept in the
settings file and readable / writable as plain text.

An account is the hub the host reads (its configured URL); the built-in relay's hub is the
account "built-in". Users are remembered only where their ids mean a person: the built-in hub
numbers its anonymous viewers afresh every run (u1, u2, …), so a "u17" blocked last night is a
stranger tonight — for it, only words are kept.

The text form is one entry a line, so a list can be kept in a notes app or shared between
hosts: a word, or `@` and a user id; `#` starts a comment line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.settings import Settings

SECTION = "moderation"
BUILT_IN = "built-in"
_HEADER = "# LiveDesk block list: one word a line; @ then a user id blocks that user"


@dataclass
class BlockLists:
    words: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)

    def merged(self, other: BlockLists) -> BlockLists:
        """These lists with `other`'s entries added (order kept, no repeats)."""
        return BlockLists(_union(self.words, other.words), _union(self.users, other.users))


def account(hub_url: str) -> str:
    """The account block lists are kept under for the hub at `hub_url` ("" = built-in)."""
    return hub_url.strip() or BUILT_IN


def load(settings: Settings, account_key: str) -> BlockLists:
    stored = settings.section(SECTION).get(account_key, {})
    if not isinstance(stored, dict):
        return BlockLists()
    return BlockLists(_texts(stored.get("words")), _texts(stored.get("users")))


def save(settings: Settings, account_key: str, lists: BlockLists) -> None:
    users = [] if account_key == BUILT_IN else lists.users
    settings.update_section(SECTION, {account_key: {"words": lists.words, "users": users}})


def to_text(lists: BlockLists) -> str:
    return "\n".join([_HEADER, *lists.words, *("@" + u for u in lists.users)]) + "\n"


def from_text(text: str) -> BlockLists:
    """The entries of a block list text (blank and `#` lines skipped)."""
    words: list[str] = []
    users: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            if line[1:].strip():
                users.append(line[1:].strip())
        else:
            words.append(line)
    return BlockLists(_union(words, []), _union(users, []))


def _texts(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


def _union(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))
