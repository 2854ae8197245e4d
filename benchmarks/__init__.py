"""Benchmarks: runnable with one command each, printing a table; never part of the tests."""
