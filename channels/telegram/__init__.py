"""The Telegram channel (python-telegram-bot v22): translates updates and replies, nothing else.

render.py    pure rules: text split in UTF-16 units, keyboard rows, folding replies (no I/O)
files.py     pure rules: which files people send reach the engine (the XLSX questionnaire)
channel.py   PTB handlers: update -> IncomingMessage -> engine -> Bot API calls
order.py     per chat: the engine reads updates in order, replies leave in that order
pacing.py    per chat: at most one message a second
polling.py   long polling that confirms an update only after it was handled
webhook.py   aiohttp receiver with the secret token checked in constant time
service.py   the Application in our loop: token check, commands menu, polling or webhook
"""

from channels.telegram.channel import COMMANDS, TelegramChannel
from channels.telegram.service import (
    TelegramService,
    TelegramSettings,
    TelegramStartError,
    WebhookSettings,
)

__all__ = [
    "COMMANDS",
    "TelegramChannel",
    "TelegramService",
    "TelegramSettings",
    "TelegramStartError",
    "WebhookSettings",
]
