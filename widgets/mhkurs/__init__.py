"""mhkurs: an e-learning course on identifying possible victims of human trafficking.

The content bank (``course/content``) holds every course fact; ``mhkurs.logic`` holds
the exercise behaviour as plain Python; ``mhkurs.ui`` renders it with ipywidgets.
"""

__version__ = "0.1.0"
