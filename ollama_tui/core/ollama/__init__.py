"""The Ollama client: typed results, typed errors, no UI."""
