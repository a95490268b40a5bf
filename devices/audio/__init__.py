"""The terminal's audio hardware that is not a sound stream: the headphone jack's switch."""
