"""GET /p/{petition_id}: a petition's public page, what a shared link opens.

A module of its own, so that showing a page already stored (:mod:`mobilise.petitions.
stored_page`) imports no template engine and reads no signing key: the first request of
many an environment (issue 14). A page not stored yet, or changed since, is rendered by
:mod:`mobilise.api.pages`, with the other public pages.
"""

from __future__ import annotations

from typing import Annotated

from mobilise.api.common import HTML, checked_id
from mobilise.api.contract import INVALID, page
from mobilise.api.http import Query, Response, Router
from mobilise.core.errors import NotFound
from mobilise.petitions import stored_page

router = Router()
#: CloudFront keeps a public page a minute; a browser asks again each time (the count moves).
PUBLIC = {"Cache-Control": "public, max-age=0, s-maxage=60"}
LANG = Annotated[str | None, Query(max_length=5, description="`en` or `fr`: the page's language.")]
NO_PAGE = page("There is no such page (a page that says so).")
#: A parameter too long: the API's one 422, in JSON.
BAD_QUERY = {422: INVALID}


@router.get(
    "/p/<petition_id>",
    operation_id="petition_page",
    tags=["pages"],
    summary="A petition's public page, with its sign form",
    description="Server-rendered (no JavaScript needed), with Open Graph and Twitter card tags.",
    responses={200: page("The petition."), 404: NO_PAGE, **BAD_QUERY},
)
def petition_page(petition_id: str, lang: LANG = None) -> Response[str]:
    # The renderer is imported when a page has to be rendered, not to show a stored one.
    try:
        read = stored_page.read(checked_id(petition_id), lang)
    except NotFound:
        from mobilise.api import pages

        return pages.not_found(stored_page.page_language(lang, "en"))
    html = stored_page.shown(read)
    if html is None:
        from mobilise.api import pages

        html = pages.stored_petition(read)
    return Response(status_code=200, content_type=HTML, body=html, headers=PUBLIC)
