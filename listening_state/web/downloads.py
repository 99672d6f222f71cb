"""Files the pages hand to the browser as downloads."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, stream_with_context


def streamed_csv(chunks: Iterator[str], name: str) -> Response:
    """A CSV download, streamed. The chunks are read after the view returns, in the request
    context that stream_with_context restores: an export's query runs then, at its first row
    (services.spreadsheets.rows_when_read), never in the view's own session."""
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
