"""Ingot Chat for Python: the FastAPI chat backend on the official Inngest Python SDK."""
