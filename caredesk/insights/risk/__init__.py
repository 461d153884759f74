"""Complaint early warning: an explainable risk score per open ticket."""
