"""Therapist accounts: sign-in, sessions, throttling."""
