"""A step that shows what the platform answered: rows of label and value (already masked). After
printing, the picture says "take the paper" (screens/illustrations.py); a failed print shows the
warning pictogram beside its words."""
from __future__ import annotations

from typing import Any

from kivy.properties import ListProperty, StringProperty

from screens.base import KioskScreen, load_kv
from screens.illustrations import ArtScreen, scenes_for


class ResultScreen(ArtScreen, KioskScreen):
    scenes = ListProperty([])  # take the paper, when the step printed it
    status = StringProperty("")  # "warning" when it did not print
    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)

    def on_view(self, *_: Any) -> None:
        from screens.widgets import BiLabel, reuse_children

        self.scenes = scenes_for(self.view)
        self.status = "warning" if self.view is not None and self.view.data.get("print_error") else ""

        # The labels on show are reused for the next result's rows (issue 15 latency: building
        # two dozen bilingual labels was most of a result's first frame); the extra ones are
        # dropped, never kept aside with the last citizen's values in them.
        rows = self.ids.rows
        texts = [(text, role) for key, value in (self.view.data.get("rows", ()) if self.view else ())
                 for text, role in ((key, "small"), (value, "body"))]
        for label, (text, role) in zip(reuse_children(rows, len(texts), BiLabel), texts):
            label.role, label.source = role, text


load_kv(__file__)
