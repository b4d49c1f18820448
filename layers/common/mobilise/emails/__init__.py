"""Rendering every email and page from its Jinja2 templates (in ``templates/``): MIME on the
wire, inlined CSS, the text part beside the HTML."""
