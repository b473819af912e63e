"""Compatibility with AWML (tier4/AWML): its checkout on ``sys.path``, its model configs' ``custom_imports``."""
