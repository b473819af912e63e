"""CalibrationStatusClassification project bundle: is a camera–LiDAR pair calibrated? (see runner.py)."""
