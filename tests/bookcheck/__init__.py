"""Checks that every number the book states is computed: page doctests and the number audit."""
