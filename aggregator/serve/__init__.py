"""The HTTP side: the outputs, cached per change of the store, a page for people, push.

``app`` holds the ASGI routes and the render cache; ``page`` renders the HTML
page and the feed stylesheet; ``websub`` tells a hub when outputs change.
"""

from aggregator.serve.app import create_app
from aggregator.serve.outputs import render_merged, render_output, views_for

__all__ = ["create_app", "render_merged", "render_output", "views_for"]
