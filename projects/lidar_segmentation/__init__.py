"""LiDAR point segmentation project bundle: a small range-image network on the synthetic scenes (see runner.py)."""
