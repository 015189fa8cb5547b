"""Therapy sessions and their plans."""
