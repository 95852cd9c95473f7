"""The pure rendering rules: text pieces in UTF-16 units, keyboard rows, folded replies."""

from __future__ import annotations

import pytest

from bot.contract import Attachment, ConversationKey, Option, OutgoingMessage
from channels.telegram.render import (
    MAX_TEXT,
    coalesce,
    command_text,
    rows,
    split_text,
    utf16_len,
    with_choice,
)

KEY = ConversationKey("telegram", "1001")


def test_short_text_is_one_piece() -> None:
    assert split_text("Hola") == ["Hola"]
    assert split_text("  \n ") == []


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    paragraph = "palabra " * 300  # 2,400 characters
    text = f"{paragraph.strip()}\n\n{paragraph.strip()}"
    pieces = split_text(text)
    assert pieces == [paragraph.strip(), paragraph.strip()]


@pytest.mark.parametrize("unit", ["a", "ñ", "😀", "👩‍💻", "a b", "línea\n"])
def test_every_piece_fits_and_nothing_is_lost(unit: str) -> None:
    text = unit * 5000
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(0 < utf16_len(p) <= MAX_TEXT for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


def test_emoji_count_twice() -> None:
    # 2,049 emoji are 4,098 UTF-16 units: one too many for a single message.
    pieces = split_text("😀" * 2049)
    assert [len(p) for p in pieces] == [2048, 1]


def test_a_line_break_is_preferred_to_a_cut_word() -> None:
    first = "x" * 3000
    pieces = split_text(f"{first}\n{'y' * 3000}")
    assert pieces == [first, "y" * 3000]


def test_short_labels_share_rows_long_ones_do_not() -> None:
    assert rows(["Sí", "No"]) == [[0, 1]]
    labels = ["a) Existe y se aplica en toda la entidad", "b) No existe", "No sé", "Omitir"]
    assert rows(labels) == [[0], [1, 2, 3]]
    assert rows(["Uno", "Dos", "Tres", "Cuatro"]) == [[0, 1, 2], [3]]
    assert rows(["Continuar el diagnóstico", "Ver resultados"]) == [[0], [1]]


def test_plain_replies_fold_into_the_next_one() -> None:
    saved = OutgoingMessage(KEY, "✓ Guardado: a")
    question = OutgoingMessage(KEY, "Pregunta 2", (Option("ans:Q2:0", "a) Sí"),))
    files = OutgoingMessage(KEY, "Adjunto", attachments=(Attachment("r.png", "image/png", b"png"),))
    assert coalesce([saved, question]) == [
        OutgoingMessage(KEY, "✓ Guardado: a\n\nPregunta 2", question.options)
    ]
    # A reply with buttons or files is never folded into what follows it.
    assert coalesce([question, saved]) == [question, saved]
    assert coalesce([files, saved]) == [files, saved]
    # Nor across chats, nor beyond one message's length.
    other = OutgoingMessage(ConversationKey("telegram", "2002"), "Hola")
    assert coalesce([saved, other]) == [saved, other]
    long = OutgoingMessage(KEY, "x" * 4090)
    assert coalesce([long, question]) == [long, question]


def test_choice_appended_only_if_it_fits() -> None:
    assert with_choice("¿Pregunta?\n", "➜ a") == "¿Pregunta?\n\n➜ a"
    assert with_choice("x" * 4094, "➜ a") is None


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("/start", "/start"),
        ("/start@cti_bot", "/start"),
        ("/start campaña-2026", "/start"),  # a deep-link payload
        ("/ayuda@cti_bot", "/ayuda"),
        ("/diagnostico ahora", "/diagnostico ahora"),
        ("/ No es un comando", "/ No es un comando"),
    ],
)
def test_commands_lose_the_bot_name_and_start_payloads(typed: str, sent: str) -> None:
    assert command_text(typed) == sent
