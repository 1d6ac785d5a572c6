"""loyalty-api: a self-hostable server for the legacy Sticky Street / Loyalty Gator ``api.php`` protocol."""

__version__ = "0.1.0"
