"""A chat's replies leave in the order their turns were read: queued work runs one after the
other per chat, chats side by side, and one failure does not stop what follows."""

from __future__ import annotations

import asyncio

import pytest

from channels.telegram.order import READ, SendOrder, Work, turn_read


async def test_work_runs_in_queue_order_per_chat_and_chats_side_by_side() -> None:
    order = SendOrder()
    done: list[str] = []
    gate = asyncio.Event()

    async def slow() -> None:
        await gate.wait()
        done.append("a1")

    def note(name: str) -> Work:
        async def work() -> None:
            done.append(name)

        return work

    first = order.queue("a", slow)
    second = order.queue("a", note("a2"))
    other = order.queue("b", note("b1"))
    await other
    assert done == ["b1"]  # chat b did not wait for chat a
    gate.set()
    await asyncio.gather(first, second)
    assert done == ["b1", "a1", "a2"]
    assert len(order) == 0  # nothing is kept once a chat's queue is empty


async def test_a_failure_does_not_hold_the_next_and_cancelling_cancels_the_work() -> None:
    order = SendOrder()
    done: list[str] = []

    async def fails() -> None:
        raise RuntimeError("403")

    async def works() -> None:
        done.append("next")

    failed, following = order.queue(1, fails), order.queue(1, works)
    with pytest.raises(RuntimeError):
        await failed
    await following
    assert done == ["next"]

    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    task = order.queue(1, forever)
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_turn_read_signals_only_the_update_that_set_it() -> None:
    turn_read()  # outside a poller's update: nothing to signal, no error
    read = asyncio.Event()

    async def update() -> None:
        READ.set(read)
        turn_read()

    await asyncio.create_task(update())
    assert read.is_set()
    assert READ.get() is None  # the variable was the task's own
