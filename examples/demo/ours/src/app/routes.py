"""Routes that only this service has."""
