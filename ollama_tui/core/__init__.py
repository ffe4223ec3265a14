"""The core: the Ollama client, conversations, history, settings, config, paths,
tokens and text safety. No Textual, and no asyncio tasks of its own."""
