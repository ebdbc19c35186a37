"""The service around `qa.QA`: settings, the shared `Service`, the HTTP API, auth, and UI formatting."""
