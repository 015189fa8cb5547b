"""The therapist's home page: what needs attention today and this week."""
