"""Drawn lotteries' result files, served by the hub to anyone who wants to check a draw.

The console writes each result file on its own disk; viewers cannot reach that. At the draw it
also sends the file's content to the hub (`lottery_result`, a host control message), and the
hub serves it at `GET /lottery/<id>.json`, the link the viewer page shows beside the winners,
so a viewer can download it and run `livedesk lottery verify` on it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from aiohttp import web

RESULT_PATH = "/lottery/{id}.json"
KEEP = 50  # the show's recent draws; older ones stay in the console's result files


def result_path(lottery_id: str) -> str:
    return RESULT_PATH.replace("{id}", lottery_id)


class LotteryResults:
    def __init__(self) -> None:
        self._files: OrderedDict[str, bytes] = OrderedDict()

    def put(self, lottery_id: str, result: dict[str, Any]) -> None:
        self._files[lottery_id] = json.dumps(result, ensure_ascii=False, indent=1).encode()
        self._files.move_to_end(lottery_id)
        while len(self._files) > KEEP:
            self._files.popitem(last=False)

    async def handler(self, request: web.Request) -> web.Response:
        body = self._files.get(request.match_info["id"])
        if body is None:
            raise web.HTTPNotFound(text="No such lottery result here (yet).")
        return web.Response(
            body=body,
            content_type="application/json",
            charset="utf-8",
            headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"},
        )
