"""Media and datasets generated for the tests and the demo (not part of the
user API): synthetic talking-face videos, the demo dataset."""
