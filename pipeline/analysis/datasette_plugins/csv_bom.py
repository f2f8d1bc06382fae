"""datasette plugin: CSV downloads that open in Excel.

Excel reads a CSV without a byte-order mark in the system's code page, which garbles Chinese.
This wraps datasette's ASGI app and puts the UTF-8 BOM before the first bytes of every .csv
response (streamed downloads too); other readers skip a BOM.
"""

from datasette import hookimpl

BOM = "\ufeff".encode("utf-8")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_bom(scope, receive, send):
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            state = {"csv": False, "first": True}

            async def send_with_bom(message):
                if message["type"] == "http.response.start":
                    headers = dict((k.lower(), v) for k, v in message.get("headers", []))
                    # a .csv download (text/csv with ?_dl=1, shown as text/plain without it)
                    state["csv"] = headers.get(b"content-type", b"").startswith(b"text/csv") or (
                        scope.get("path", "").endswith(".csv") and message.get("status") == 200
                    )
                    if state["csv"]:  # the body grows by three bytes
                        message = {
                            **message,
                            "headers": [
                                (k, v)
                                for k, v in message.get("headers", [])
                                if k.lower() != b"content-length"
                            ],
                        }
                elif message["type"] == "http.response.body" and state["csv"] and state["first"]:
                    state["first"] = False
                    message = {**message, "body": BOM + message.get("body", b"")}
                await send(message)

            await app(scope, receive, send_with_bom)

        return with_bom

    return wrap
