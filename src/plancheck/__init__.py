"""plancheck: check Vietnamese government plans against the plans they implement."""

__version__ = "0.1.0"
