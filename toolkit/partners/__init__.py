"""Partner links and the partner's own pages."""
