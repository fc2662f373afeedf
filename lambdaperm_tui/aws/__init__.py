"""Talking to AWS: read-only clients, the concurrent loader, and the sources an inventory comes from.

Imports boto3; the rest of the app imports this package lazily.
"""
