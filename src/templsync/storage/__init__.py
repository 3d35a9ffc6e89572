"""Storage sync: a local folder and a remote location kept in sync, one way or both."""
