"""Printed documents for a couple: handouts, packets, worksheets, guides and notes."""
