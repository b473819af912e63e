"""Model-config test pipelines turned into NumPy transforms that run without mm* at deploy time."""
