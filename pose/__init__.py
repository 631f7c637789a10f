"""Pose pipeline: frames -> landmark tracks -> angle series. Knows nothing of exercises."""
