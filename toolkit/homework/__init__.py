"""Homework: assigning, answering, reviewing, safety flags."""
