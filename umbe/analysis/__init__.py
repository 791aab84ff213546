"""Measuring models and runs: parameters, FLOPs, step and epoch timing
(the logic behind tools/analysis/)."""
