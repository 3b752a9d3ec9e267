"""Pytest plugins shared across test modules (servers the tests start: PostgreSQL, HTTP, browser).

Every module here is loaded by tests/conftest.py; each owns its fixtures.
"""
