"""Grading an instructor can trust.

``sandbox``: nbgrader's autograde runs each submission's kernel inside
bubblewrap (only the submission's own files, no network, bounded CPU, memory
and processes). ``parallel``: several students at once, one gradebook per
worker, merged into the course gradebook. ``findings``: what each submission
tried that it should not have (code in answer cells, errors the sandbox
caused). ``report``: item analysis of an autograded assignment (HTML and CSV).
"""
