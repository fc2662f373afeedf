"""The explorer's screens, one per module: ``main`` (the explorer, the app's default screen), ``simulator``,
``who_can``, ``what_can``, ``policy_picker``, ``policy_editor`` and ``help``."""
