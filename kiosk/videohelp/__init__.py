"""The kiosk side of video help (issue 18): join the help desk's queue, a WebRTC call with aiortc
(camera, microphone, and a data channel carrying the screen's state to the staff member's replica
and their pointing back), and what is kept of a call (time, duration, outcome, staff id). It talks to
kiosk/helpdesk only over the wire. No Kivy here: the app's call screen drives `client.VideoHelpClient`."""
