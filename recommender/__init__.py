"""Recommenders behind one interface: fit, recommend, similar_items, explain, save, load."""
