"""The inspector of ``listen``: deliveries kept in an embedded database (``store``), and sent again (``replay``)."""
