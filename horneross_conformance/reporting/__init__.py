"""What a person or a machine reads after a run: the terminal table, the JSON, Markdown and HTML reports, the docs."""
