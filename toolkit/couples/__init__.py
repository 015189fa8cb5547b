"""Client couples and their partners."""
