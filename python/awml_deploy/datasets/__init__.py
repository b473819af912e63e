"""Dataset loaders and generators (NumPy only): mmdet3d/AWML info files and synthetic LiDAR scenes."""
