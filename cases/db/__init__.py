"""Database building blocks shared by services and selectors (``functions``)."""
