"""Evaluation: benchmark metrics, annotation scores, reports."""
