"""Widgets the screens share: the resource panes, the detail view, the header, the Findings pane, the
explanation tree and the input suggesters."""
