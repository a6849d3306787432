"""The web side: the candidate chat (Chainlit), invitations and the one ASGI server."""
