"""Printed documents: handouts, worksheets, facilitator guides and session packets as PDF.

Pure functions from library objects and a PrintContext to HTML and PDF bytes; nothing here
knows about Flask requests. See render.py for how rendering is kept safe and bounded.
"""
