"""Scanners: camera capture + zbar decoding, serial 2D scanner modules, face capture.

Decoded texts are citizens' data (receipt numbers, sometimes names): modules here log
symbology and lengths, never the text."""
