"""The video help desk (issue 18): signalling over WebSockets, the queue of kiosks waiting for a
person, and the staff console's pages. A real deployment runs it on its own server behind TLS
(deploy/README.md); the demo profile runs it embedded on loopback. It never imports the terminal:
the kiosk side is kiosk/videohelp/, which talks to it only over the wire."""
