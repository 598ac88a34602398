"""The console's feature panels, each installed onto the main window by one function.

Each entry is "module:function"; the function has the signature
`install(window: widgets.main_window.MainWindow, core: app.console_core.ConsoleCore) -> None`
and adds its docks, overlays and menu actions through the window's public API. The main window
knows nothing else about the features, so each can be built and tested on its own.
"""

FEATURES: tuple[str, ...] = (
    "widgets.voice_feature:install",
    "widgets.program_feature:install",
    "widgets.golive_feature:install",
    "widgets.audience_feature:install",
    "widgets.sale_feature:install",
    "widgets.insights_feature:install",
)
