"""The lightweight job runner behind `stconfig run` and `stconfig serve`."""
