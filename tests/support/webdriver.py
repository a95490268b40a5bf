"""The WebDriver client lives in the package (kiosk/helpdesk/webdriver.py) so bench/ can use it too."""
from kiosk.helpdesk.webdriver import ELEMENT, FLAGS, Browser  # noqa: F401
