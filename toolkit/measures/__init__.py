"""The couple measure: the 4-item Couples Satisfaction Index, per partner, per session."""
