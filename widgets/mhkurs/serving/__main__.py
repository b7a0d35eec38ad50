"""``python -m mhkurs.serving``: Voila with the course's kernel caps (see ``app``)."""

from .app import main

main()
