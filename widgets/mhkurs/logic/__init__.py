"""Exercise behaviour as plain Python: no widget or kernel needed, so it is tested directly."""
