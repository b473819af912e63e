"""CenterPoint (pillars) project bundle: model, export, pipelines, evaluation, and the embedded default."""
