class ServiceError(Exception):
    """The root of this service's errors."""


class NotFound(ServiceError):
    pass
