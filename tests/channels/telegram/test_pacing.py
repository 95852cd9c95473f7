"""Per-chat pacing: one message a second to any one chat, other chats unaffected."""

from __future__ import annotations

from channels.telegram.pacing import PRUNE_AT, ChatPacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_message_a_second_per_chat() -> None:
    clock = Clock()
    pacer = ChatPacer(1.0, clock)
    assert pacer.reserve(1) == 0.0
    assert pacer.reserve(2) == 0.0  # another chat goes at once
    assert pacer.reserve(1) == 1.0  # queued behind the first
    assert pacer.reserve(1) == 2.0
    clock.now += 5
    assert pacer.reserve(1) == 0.0


def test_the_next_message_counts_from_the_answer() -> None:
    clock = Clock()
    pacer = ChatPacer(1.0, clock)
    assert pacer.reserve(7) == 0.0
    clock.now += 0.4  # the request spent 0.4 s in the overall limiter and on the wire
    pacer.sent(7)
    assert pacer.reserve(7) == 1.0


def test_off_and_forgetting() -> None:
    assert ChatPacer(0).reserve(1) == 0.0
    clock = Clock()
    pacer = ChatPacer(2.0, clock)
    for chat in range(PRUNE_AT):
        pacer.reserve(chat)
    clock.now += 1
    pacer.reserve(-1)
    assert len(pacer) == 1
