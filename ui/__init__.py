"""Gradio app, embeddable widget and HTTP API."""
