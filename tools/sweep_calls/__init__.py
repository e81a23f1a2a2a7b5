"""Calls for the bad-input sweep, one file per group of modules (see ``sweep._extra_calls``)."""
