"""The Cognito user pool authorizer of API Gateway, as it checks an ID token."""

from __future__ import annotations

import secrets
import threading
from typing import Any

import boto3
import jwt


class Unauthorized(Exception):
    pass


class CognitoAuthorizer:
    """API Gateway's Cognito authorizer takes the ID tokens of every client of its user pool:
    ``client_ids`` are the template's clients (the API's, and the dashboard's)."""

    def __init__(
        self, user_pool_id: str, client_ids: list[str], jwks_url: str, region: str
    ) -> None:
        self.user_pool_id = user_pool_id
        self.client_ids = client_ids
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self._keys = jwt.PyJWKClient(jwks_url)

    def claims(self, authorization: str | None) -> dict[str, str]:
        """The token's claims as API Gateway passes them (all strings); Unauthorized if bad."""
        if not authorization:
            raise Unauthorized("no token")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.client_ids,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "token_use"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthorized(str(error)) from error
        if claims.get("token_use") != "id":
            raise Unauthorized("not an id token")
        return {name: str(value) for name, value in claims.items()}


class BearerIsUser:
    """Stands in for Cognito where no user pool is wanted (integration tests, benchmarks):
    the bearer token *is* the user id."""

    def claims(self, authorization: str | None) -> dict[str, str]:
        if not authorization:
            raise Unauthorized("no token")
        user = authorization.removeprefix("Bearer ").strip()
        return {
            "sub": user,
            "token_use": "id",
            "email": f"{user}@example.test",
            "email_verified": "true",
        }


class LocalUsers:
    """``POST /_local/token``: a user of the local pool, by name, and an ID token for them."""

    def __init__(self, user_pool_id: str, client_id: str) -> None:
        self.user_pool_id = user_pool_id
        self.client_id = client_id
        self._passwords: dict[str, str] = {}
        self._lock = threading.Lock()

    def token(self, user: str) -> str:
        token: str = self.tokens(user)["IdToken"]
        return token

    def tokens(self, user: str, client_id: str | None = None) -> dict[str, Any]:
        """Cognito's AuthenticationResult for the user (created on first use), issued to
        ``client_id`` (default: the API's client)."""
        username = user if "@" in user else f"{user}@example.test"
        cognito = boto3.client("cognito-idp")
        with self._lock:
            password = self._passwords.get(username)
            if password is None:
                # The pool's policy wants a lower and upper case letter and a digit, always.
                password = "Local-0a-" + secrets.token_urlsafe(16)
                cognito.admin_create_user(
                    UserPoolId=self.user_pool_id,
                    Username=username,
                    UserAttributes=[
                        {"Name": "email", "Value": username},
                        {"Name": "email_verified", "Value": "true"},
                    ],
                    MessageAction="SUPPRESS",
                )
                cognito.admin_set_user_password(
                    UserPoolId=self.user_pool_id,
                    Username=username,
                    Password=password,
                    Permanent=True,
                )
                self._passwords[username] = password
        result = cognito.admin_initiate_auth(
            UserPoolId=self.user_pool_id,
            ClientId=client_id or self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        return dict(result["AuthenticationResult"])
