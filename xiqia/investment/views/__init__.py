"""The investment pages; each part keeps its own routes (see ``xiqia/investment/urls.py``)."""
