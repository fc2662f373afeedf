"""Answers over an inventory: simulate one request, who-can, what-can, named principals, what-if edits,
and the IAM action catalog. Imports only the engine (``iam``) and the inventory model: no boto3, no
textual. Import the submodules (``analysis.resolve``, ``analysis.whocan``, ...) directly.
"""
