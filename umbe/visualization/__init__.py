"""Registry location of umbe's VISUALIZERS and VISBACKENDS.

umbe uses mmaction2's ``ActionVisualizer`` and mmengine's backends. A child
registry does not import its parent's locations when it looks a name up
there, so importing this package registers mmaction2's visualizers too.
umbe's own visualisers, if any, go here.
"""
import mmaction.visualization  # noqa: F401

__all__ = []
