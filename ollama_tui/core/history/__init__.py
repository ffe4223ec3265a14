"""Conversation history: plain TOML or JSON files (see ``codec`` and ``store``)."""
