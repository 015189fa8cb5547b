"""The audit trail: who read and changed which clinical record, and when."""
