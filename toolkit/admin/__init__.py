"""The practice admin: accounts, couples moving between therapists, and the audit log."""
