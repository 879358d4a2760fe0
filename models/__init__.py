"""The shipped default model (installed as the ``thresher.models`` package data)."""
