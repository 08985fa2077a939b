"""Helpers the tests share (servers, fakes, fixture content). Fixtures live in
the conftest files; everything a test imports lives here."""
