"""The local Bot API server refuses what Telegram refuses and accepts what it accepts: each rule
asked over HTTP by python-telegram-bot's own `Bot`, once refused and once accepted."""

from __future__ import annotations

import io
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError

from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.botapi_text import visible_html

ANA = 1001


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    server.private_chat(ANA, "Ana").chat.started = True
    async with Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as client:
        yield client


async def raw(bot: Bot, method: str, **params: Any) -> Any:
    """A call with parameters exactly as given (no client-side checks by the library). Method
    names are case-insensitive; lower case keeps the library from suggesting its own method."""
    return await bot.do_api_request(method.lower(), api_kwargs=params)


# --- parse_mode=HTML ------------------------------------------------------------------------

FORMATTED = (
    "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>x</s><strike>k</strike>"
    '<del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
    '<a href="https://www.mintic.gov.co/">enlace</a>'
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><code>c</code>'
    '<pre><code class="language-python">print(1)</code></pre>'
    "<blockquote>cita</blockquote><blockquote expandable>larga</blockquote>"
    " &lt;&gt;&amp;&quot; &#241;&#xF1; &nbsp; 3 &lt 4"
)
SHOWN = 'bsieunxkdpqenlace👍cprint(1)citalarga <>&" ññ &nbsp; 3 &lt 4'


async def test_telegrams_html_is_accepted_and_read_as_its_visible_text(bot: Bot) -> None:
    message = await bot.send_message(ANA, FORMATTED, parse_mode=ParseMode.HTML)
    assert message.text == SHOWN
    # The same text without parse_mode is taken as typed.
    message = await bot.send_message(ANA, "<b>no</b> &amp;")
    assert message.text == "<b>no</b> &amp;"


@pytest.mark.parametrize(
    ("html", "why"),
    [
        ("<p>párrafo</p>", 'unsupported start tag "p"'),
        ("línea<br>otra", 'unsupported start tag "br"'),
        ("<b>sin cerrar", 'end tag corresponding to start tag "b"'),
        ("<b>cruzado</i>", 'expected "</b>", found "</i>"'),
        ("sobra</b>", "unexpected end tag"),
        ('<span class="rojo">x</span>', 'must have class "tg-spoiler"'),
        ("<tg-emoji>👍</tg-emoji>", 'attribute "emoji-id"'),
        ("<code><b>x</b></code>", 'inside "code"'),
        ("3 < 4 > 2", "empty tag name"),
        ("<b", "unclosed start tag"),
    ],
)
async def test_html_telegram_cannot_parse_is_refused(bot: Bot, html: str, why: str) -> None:
    with pytest.raises(BadRequest) as refused:
        await bot.send_message(ANA, html, parse_mode=ParseMode.HTML)
    assert str(refused.value).lower().startswith("can't parse entities: ")
    assert why in str(refused.value).lower()
    # A caption and an edit are parsed the same way.
    sent = await bot.send_message(ANA, "texto")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.edit_message_text(html, ANA, sent.message_id, parse_mode=ParseMode.HTML)


async def test_markdown_is_not_silently_accepted(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)does not read parse_mode markdownv2"):
        await bot.send_message(ANA, "*hola*", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
        await raw(bot, "sendMessage", chat_id=ANA, text="x", parse_mode="BBCode")


def test_the_html_reader_is_linear() -> None:
    # Deep nesting and many entities: one pass, no backtracking (a quadratic reader would
    # take minutes here).
    depth = 20_000
    assert visible_html("<b>" * depth + "x" + "</b>" * depth) == "x"
    assert visible_html("&amp;" * 50_000) == "&" * 50_000
    assert visible_html("&" * 50_000) == "&" * 50_000


# --- text length, after the entities ---------------------------------------------------------


async def test_length_is_counted_on_the_visible_text_in_utf16_units(bot: Bot) -> None:
    # 4,096 units shown, far more typed: accepted.
    long = await bot.send_message(ANA, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert len(long.text) == 4096
    await bot.send_message(ANA, "😀" * 2048)  # 2 units each
    # One unit more is refused, whichever way it is written.
    for text, mode in (
        ("<b>" + "a" * 4097 + "</b>", ParseMode.HTML),
        ("&amp;" * 4097, ParseMode.HTML),
        ("😀" * 2048 + "a", None),
        ("&lt;" * 1025, None),  # not parsed: 4,100 characters as typed
    ):
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(ANA, text, parse_mode=mode)
    # And text that shows nothing is empty.
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ANA, "<b> </b>", parse_mode=ParseMode.HTML)


# --- keyboards -------------------------------------------------------------------------------


def inline(rows: list[int]) -> dict[str, Any]:
    number = iter(range(1000))
    return {
        "inline_keyboard": [
            [{"text": f"B{n}", "callback_data": f"d{n}"} for n in (next(number) for _ in range(r))]
            for r in rows
        ]
    }


async def test_keyboards_of_up_to_100_buttons_8_a_row(bot: Bot) -> None:
    await raw(bot, "sendMessage", chat_id=ANA, text="x", reply_markup=inline([8] * 12 + [4]))
    for rows in ([8] * 12 + [5], [9], [1, 9]):
        with pytest.raises(BadRequest, match=r"(?i)reply_markup_too_long"):
            await raw(bot, "sendMessage", chat_id=ANA, text="x", reply_markup=inline(rows))


@pytest.mark.parametrize(
    ("data", "ok"), [("x", True), ("ñ" * 32, True), ("", False), ("ñ" * 32 + "x", False)]
)
async def test_callback_data_of_1_to_64_bytes(bot: Bot, data: str, ok: bool) -> None:
    markup = {"inline_keyboard": [[{"text": "Sí", "callback_data": data}]]}
    if ok:
        await raw(bot, "sendMessage", chat_id=ANA, text="x", reply_markup=markup)
    else:
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await raw(bot, "sendMessage", chat_id=ANA, text="x", reply_markup=markup)


async def test_button_style_and_the_other_markups_are_accepted(bot: Bot) -> None:
    styled = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Enviar", callback_data="send", style="success")],
            [InlineKeyboardButton("Borrar", callback_data="erase", style="danger")],
        ]
    )
    message = await bot.send_message(ANA, "x", reply_markup=styled)
    assert message.reply_markup == styled
    for markup in (
        ReplyKeyboardMarkup([["Sí", "No"], ["No sé"]], resize_keyboard=True),
        ReplyKeyboardRemove(),
        ForceReply(input_field_placeholder="Su nombre"),
    ):
        await bot.send_message(ANA, "x", reply_markup=markup)
    bad_style = {"inline_keyboard": [[{"text": "x", "callback_data": "x", "style": "rainbow"}]]}
    with pytest.raises(BadRequest, match=r"(?i)button_style_invalid"):
        await raw(bot, "sendMessage", chat_id=ANA, text="x", reply_markup=bad_style)
    for markup_json in ({"remove_keyboard": False}, {"keyboard": "Sí"}, {"force_reply": 1}):
        with pytest.raises(BadRequest, match=r"(?i)can't parse reply keyboard markup"):
            await raw(bot, "sendMessage", chat_id=ANA, text="x", reply_markup=markup_json)
    # An edit takes only an inline keyboard.
    with pytest.raises(BadRequest, match=r"(?i)inline keyboard expected"):
        await bot.edit_message_reply_markup(ANA, message.message_id, reply_markup=ForceReply())


# --- photos and documents --------------------------------------------------------------------


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 128).save(out, "JPEG", quality=10)
    return out.getvalue()


def png_header(width: int, height: int, size: int) -> bytes:
    """A PNG signature and header padded to `size` bytes (only its size is under test)."""
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR"
    head += struct.pack(">II", width, height)
    return head + b"\0" * (size - len(head))


async def test_jpeg_dimensions_are_checked(bot: Bot) -> None:
    message = await bot.send_photo(ANA, jpeg(640, 480), filename="radar.jpg")
    assert (message.photo[-1].width, message.photo[-1].height) == (640, 480)
    await bot.send_photo(ANA, jpeg(2000, 100), filename="ancha.jpg")  # 20:1
    await bot.send_photo(ANA, jpeg(5000, 5000), filename="grande.jpg")  # 10,000 together
    for width, height in ((2001, 100), (100, 2001), (5001, 5000)):
        with pytest.raises(BadRequest, match=r"(?i)photo_invalid_dimensions"):
            await bot.send_photo(ANA, jpeg(width, height), filename="x.jpg")
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(ANA, b"\xff\xd8\xff\xe0 not a jpeg", filename="x.jpg")


async def test_photo_limit_is_10_000_000_bytes(bot: Bot) -> None:
    await bot.send_photo(ANA, png_header(100, 100, 10_000_000), filename="a.png")
    # Over 10,000,000 bytes and still under 10 MiB (10,485,760): refused.
    with pytest.raises(NetworkError, match="Request Entity Too Large"):
        await bot.send_photo(ANA, png_header(100, 100, 10_000_001), filename="b.png")


async def test_document_limit_is_50_000_000_bytes_and_empty_is_refused(bot: Bot) -> None:
    await bot.send_document(ANA, b"\0" * 50_000_000, filename="a.bin")
    with pytest.raises(NetworkError, match="Request Entity Too Large"):
        await bot.send_document(ANA, b"\0" * 50_000_001, filename="b.bin")
    with pytest.raises(BadRequest, match=r"(?i)file must be non-empty"):
        await bot.send_document(ANA, b"", filename="vacio.xlsx")
    await bot.send_document(ANA, b"x", filename="uno.txt")


async def test_a_file_sent_by_a_user_is_fetched_with_getfile(
    server: BotApiServer, bot: Bot
) -> None:
    ana = server.private_chat(ANA, "Ana")
    data = b"PK\x03\x04 datos"
    ana.send_document("diagnostico.xlsx", "application/octet-stream", data)
    ana.send_document("video.mp4", "video/mp4", b"\0" * 20_000_001)
    small, large = server.uploads
    found = await bot.get_file(small)
    assert found.file_size == len(data)
    assert bytes(await found.download_as_bytearray()) == data
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("AgADnope")
    # A bot downloads files of at most 20 MB.
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(large)


# --- callbacks, chats, webhooks, descriptions -------------------------------------------------


async def test_a_callback_is_answered_once_and_only_before_it_expires(
    server: BotApiServer, bot: Bot
) -> None:
    fresh = server.new_callback(ANA, 1)
    assert await bot.answer_callback_query(fresh, text="Esa pregunta ya no está activa")
    assert server.callbacks[fresh]["text"] == "Esa pregunta ya no está activa"
    old = server.new_callback(ANA, 1)
    server.callbacks[old]["at"] -= server.callback_ttl + 1  # pressed long ago
    for query in (fresh, old, "999"):
        with pytest.raises(BadRequest, match=r"(?i)query is too old and response timeout expired"):
            await bot.answer_callback_query(query)


async def test_a_user_who_never_started_the_bot_is_403_an_unknown_chat_400(
    server: BotApiServer, bot: Bot
) -> None:
    bea = server.known_user(2002, "Bea")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(bea.id, "Hola")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(3003, "Hola")
    bea.send("/start")
    await bot.send_message(bea.id, "Hola")


async def test_a_channel_by_its_username(server: BotApiServer, bot: Bot) -> None:
    channel = server.channel(-1001234567890, "Noticias CTI", "cti_noticias")
    message = await bot.send_message("@cti_noticias", "Convocatoria abierta")
    assert message.chat.id == channel.id and message.chat.username == "cti_noticias"
    for unknown in ("@nadie_aqui", "@Ana"):
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(unknown, "Hola")


@pytest.mark.parametrize("port", [443, 80, 88, 8443])
async def test_webhooks_on_telegrams_four_ports(bot: Bot, port: int) -> None:
    assert await bot.set_webhook(f"https://cti.example.gov.co:{port}/telegram")
    assert await bot.delete_webhook()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://cti.example.gov.co:8080/telegram", "only on ports 80, 88, 443 or 8443"),
        ("https://cti.example.gov.co:8444/telegram", "only on ports 80, 88, 443 or 8443"),
        ("http://cti.example.gov.co/telegram", "an https url must be provided"),
    ],
)
async def test_webhooks_elsewhere_are_refused(bot: Bot, url: str, why: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)bad webhook") as refused:
        await bot.set_webhook(url)
    assert why in str(refused.value).lower()


async def test_descriptions_up_to_512_and_120_characters(bot: Bot) -> None:
    assert await bot.set_my_description("d" * 512)
    assert await bot.set_my_short_description("s" * 120)
    assert (await bot.get_my_description()).description == "d" * 512
    assert (await bot.get_my_short_description()).short_description == "s" * 120
    with pytest.raises(BadRequest, match=r"(?i)description is too long"):
        await bot.set_my_description("d" * 513)
    with pytest.raises(BadRequest, match=r"(?i)short description is too long"):
        await bot.set_my_short_description("s" * 121)
