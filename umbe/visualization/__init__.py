"""Registry location of umbe's VISUALIZERS and VISBACKENDS.

umbe uses mmaction2's ``ActionVisualizer`` and mmengine's backends (found
through the parent registries); its own visualisers, if any, go here.
"""
__all__ = []
