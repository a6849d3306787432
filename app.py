"""Chainlit entry point, kept thin: `screening serve` loads it into the one server.

The handlers (invitation, consent, questions, resume) live in chatbot/web/chat.py.
"""

import chatbot.web.chat  # noqa: F401  (importing registers the Chainlit handlers)
