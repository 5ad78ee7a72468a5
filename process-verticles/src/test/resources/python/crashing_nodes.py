"""Fails as it is imported: a node that crashes while it starts."""

raise RuntimeError("no sound card in this test")
