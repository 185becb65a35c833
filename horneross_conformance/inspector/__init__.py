"""The inspector of ``listen``: deliveries kept in an embedded database (``store``), shown live on a local page with
its JSON API and event stream (``web``, ``page/``), and sent again (``replay``)."""
