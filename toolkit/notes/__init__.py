"""Session notes: SOAP, DAP or BIRP; signed and locked; amended only by addenda."""
