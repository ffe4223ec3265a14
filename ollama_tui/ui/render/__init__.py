"""Turning a message's source into styled lines for the chat log (Rich, no widgets)."""
