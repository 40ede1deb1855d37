"""The Users service (o2g.md §2.2; o2g-wire.md §3.2) and its events.

A user session reads any user's public description but only its own
devices, preferences and password; an administrator session may act for
every user. Password and preference changes go through the engine
(``set_password``, ``set_preferences``), so the store persists them and
every face sees them; each engine ``UserChanged`` (whatever face caused it)
is published as ``OnUserInfoChanged`` in the ``user`` package.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ctiswitch.engine.directory import User
from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.engine.events import Batch, UserChanged
from ctiswitch.engine.states import GroupKind

from .api import O2GApi, Session
from .body import query_flag
from .errors import O2GError, bad_parameter
from .translate import (
    GUI_LANGUAGES,
    OXE_LANGUAGES,
    preferences_json,
    supported_languages,
    user_json,
)


def _preferences_error(message: str) -> O2GError:
    """400 with the userPreferences error info, in the spellings of the
    document, the Node SDK and the Java SDK (o2g-wire.md §4)."""
    return O2GError(400, "BAD_PARAMETER", message, user_preferences={
        "errorType": "WRONG_VALUE", "parameter": "GUI_LANGUAGE",
        "userPreferencesError": "WRONG_VALUE", "userPreferencesParameter": "GUI_LANGUAGE",
        "userPreferencesErrorTypeDTO": "WRONG_VALUE", "userPreferencesParameterDTO": "GUI_LANGUAGE",
    })


class UsersService:
    """The endpoints and the engine listener, bound to one O2GApi."""

    def __init__(self, api: O2GApi) -> None:
        self.api = api
        self.switch = api.board.switch

    def user_json(self, user: User, session: Session) -> dict[str, object]:
        return user_json(user, node_id=self.api.board.company.node.id,
                         voicemail_number=self.switch.voicemail_number,
                         with_devices=session.is_admin or session.login == user.login)

    def own(self, session: Session, login: str) -> User:
        """The user ``login`` if this session may change or read its private data."""
        self.api.require_user(login)
        if not session.is_admin and session.login != login:
            raise O2GError(403, "NOT_ALLOWED", f"a user session acts only for {session.login}")
        return self.switch.users[login]

    # -- endpoints -----------------------------------------------------------------

    async def logins(self, request: Request) -> Response:
        """List login names (a user session sees only its own)."""
        session = await self.api.session(request)
        if not session.is_admin:
            return JSONResponse({"loginNames": [session.login]})
        logins = list(self.switch.users)
        node_ids = request.query_params.get("nodeIds")
        if node_ids is not None:
            wanted = {part.strip() for part in node_ids.replace(";", ",").split(",") if part.strip()}
            if str(self.api.board.company.node.id) not in wanted:
                logins = []
        if query_flag(request, "onlyACD"):
            agents = {m.user.login for g in self.switch.groups.values()
                      if g.kind is GroupKind.QUEUE for m in g.members}
            logins = [login for login in logins if login in agents]
        return JSONResponse({"loginNames": logins})

    async def by_phone(self, request: Request) -> Response:
        """Find a user by company phone number."""
        session = await self.api.session(request)
        phone = request.query_params.get("companyPhone")
        if not phone:
            raise bad_parameter("companyPhone", "is mandatory")
        user = next((u for u in self.switch.users.values() if u.number == phone), None)
        if user is None:
            raise O2GError(404, "NOT_FOUND", f"companyPhone: no user with company phone {phone!r}")
        return JSONResponse(self.user_json(user, session))

    async def user(self, request: Request) -> Response:
        """Get a user account description."""
        session = await self.api.session(request)
        login = request.path_params["loginName"]
        self.api.require_user(login)
        return JSONResponse(self.user_json(self.switch.users[login], session))

    async def password(self, request: Request) -> Response:
        """Change the user's password (the secret code of the O2G login)."""
        session = await self.api.session(request)
        body = await self.api.json_body(request)
        old = body.string("oldPassword", empty=True)
        new = body.string("newPassword")
        user = self.own(session, request.path_params["loginName"])
        if not secrets.compare_digest(user.secret.encode(), old.encode()):
            raise O2GError(403, "NOT_ALLOWED", "oldPassword: does not match the current password")
        self._command(lambda: self.switch.set_password(user.login, new), "newPassword")
        return Response(status_code=204)

    async def get_preferences(self, request: Request) -> Response:
        """Get the user's preferences (GUI and OXE language)."""
        session = await self.api.session(request)
        return JSONResponse(preferences_json(self.own(session, request.path_params["loginName"])))

    async def set_preferences(self, request: Request) -> Response:
        """Update the user's preferences (loginName ignored in a user session)."""
        session = await self.api.session(request)
        body = await self.api.json_body(request)
        login = session.login if not session.is_admin else request.path_params["loginName"]
        assert login is not None
        user = self.own(session, login)
        changes: dict[str, str] = {}
        gui = body.string("guiLanguage", required=False)
        if gui is not None:
            if gui not in GUI_LANGUAGES:
                raise _preferences_error(f"guiLanguage: {gui!r} is not a supported GUI language")
            changes["guiLanguage"] = gui
        oxe = body.string("oxeLanguage", required=False)
        if oxe is not None:
            if oxe not in OXE_LANGUAGES:
                raise bad_parameter("oxeLanguage", f"{oxe!r} is not an OXE language")
            changes["oxeLanguage"] = oxe
        if changes:
            self._command(lambda: self.switch.set_preferences(user.login, changes), "preferences")
        return Response(status_code=204)

    async def languages(self, request: Request) -> Response:
        """List the supported languages."""
        session = await self.api.session(request)
        self.own(session, request.path_params["loginName"])
        return JSONResponse(supported_languages())

    @staticmethod
    def _command(run: Callable[[], None], field: str) -> None:
        """Run an engine command; a BAD_VALUE refusal is a 400 naming ``field``."""
        try:
            run()
        except CommandError as error:
            if error.refusal is Refusal.BAD_VALUE:
                raise bad_parameter(field, error.message) from None
            raise O2GError(403, "NOT_EXPECTED", error.message) from None

    # -- events ---------------------------------------------------------------------

    def on_batch(self, batch: Batch) -> None:
        """One OnUserInfoChanged per user changed in the transaction."""
        changed = dict.fromkeys(e.login for e in batch.events if isinstance(e, UserChanged))
        for login in changed:
            user = self.switch.users.get(login)
            if user is None:
                continue
            event = {"eventName": "OnUserInfoChanged", "loginName": login,
                     "user": user_json(user, node_id=self.api.board.company.node.id,
                                       voicemail_number=self.switch.voicemail_number, with_devices=True)}
            self.api.publish(event, login=login, package="user")


def install(api: O2GApi) -> None:
    service = UsersService(api)
    unsubscribe = api.board.switch.subscribe(service.on_batch)

    async def stop() -> None:
        unsubscribe()

    api.on_stop.append(stop)
    api.add_service("Users", [
        Route("/users", service.by_phone, methods=["GET"]),
        Route("/users/{loginName}", service.user, methods=["GET"]),
        Route("/users/{loginName}/password", service.password, methods=["PUT"]),
        Route("/users/{loginName}/preferences", service.get_preferences, methods=["GET"]),
        Route("/users/{loginName}/preferences", service.set_preferences, methods=["POST"]),
        Route("/users/{loginName}/preferences/supportedLanguages", service.languages, methods=["GET"]),
        Route("/logins", service.logins, methods=["GET"]),
    ])
