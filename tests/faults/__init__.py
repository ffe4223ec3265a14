"""The fault suite: the app and its client against servers and inputs that misbehave."""
