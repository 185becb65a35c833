"""Bytes on the wire: the bounded HTTP client, the threaded server, the wire log and the curl reproducer."""
