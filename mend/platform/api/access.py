"""Routes for tenants, sign-in, bearer tokens, members and invitations."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from mend.domain.errors import NotFound
from mend.platform import access_trail, auth, limits
from mend.platform import schemas as s
from mend.platform.auth import current_actor, mend

bp = Blueprint("access", __name__, url_prefix="/api/v1", description="Tenants and sign-in")


def public(view):
    """A route that needs no signed-in caller (the API's default is a bearer token)."""
    return auth.public(bp.doc(security=[])(view))


#: Documents the 401 of a public route that checks a password or a token itself.
wrong_credentials = bp.alt_response(401, response="UNAUTHORIZED")
#: Documents the 429 of a route whose failed attempts are limited (mend.platform.limits).
limited = bp.alt_response(429, response="TOO_MANY_REQUESTS")


@bp.route("/tenants", methods=["POST"])
@public
@bp.arguments(s.TenantSignUpSchema)
@bp.response(201, s.TenantCreatedSchema)
def sign_up(body):
    """Sign up a practice or organization with its founding owner (public)."""
    owner = body["owner"]
    saved = mend().membership.sign_up(
        name=body["name"], slug=body["slug"], kind=body["kind"],
        owner_email=owner["email"], owner_password=owner["password"], owner_name=owner["name"],
    )
    tenant_id, owner_id = saved.result
    return {"tenant_id": tenant_id, "slug": body["slug"], "owner_id": owner_id}


@bp.route("/auth/login", methods=["POST"])
@public
@wrong_credentials
@limited
@limits.per_address
@limits.per_account
@bp.arguments(s.LoginSchema)
@bp.response(200, s.SignedInSchema)
def login(body):
    """Sign in a browser: sets the session cookie and returns the CSRF token to send back."""
    with auth.recording_failed_sign_in("session"):
        account = mend().membership.authenticate(body["email"], body["password"])
    csrf = auth.sign_in(account)
    tenants = [
        {"slug": tenant.slug, "name": tenant.name, "role": role}
        for tenant, role in mend().membership.tenants_of(account)
    ]
    return {"account_id": account.id, "name": account.name, "tenants": tenants,
            "csrf_token": csrf}


@bp.route("/auth/logout", methods=["POST"])
@public
@bp.response(204)
def logout():
    """End this browser session."""
    auth.sign_out()


@bp.route("/auth/logout-everywhere", methods=["POST"])
@bp.response(204)
def logout_everywhere():
    """End every browser session of this account, on every device."""
    current_actor()  # signed in, and the CSRF token checked
    auth.sign_out_everywhere()


@bp.route("/auth/password", methods=["POST"])
@limited
@limits.per_address
@bp.arguments(s.PasswordChangeSchema)
@bp.response(204)
def change_password(body):
    """Change the password; every browser session signed in before ends (tokens stay)."""
    actor = current_actor()
    mend().membership.change_password(actor.account_id, body["current_password"],
                                      body["new_password"])
    auth.sign_out()


@bp.route("/auth/tokens", methods=["POST"])
@public
@wrong_credentials
@limited
@limits.per_address
@limits.per_account
@bp.arguments(s.TokenRequestSchema)
@bp.response(201, s.TokenSchema)
def issue_token(body):
    """Issue a bearer token for an API client, scoped to one tenant; it is shown only once."""
    with auth.recording_failed_sign_in("token"):
        token, token_id, actor = mend().membership.issue_token(
            body["email"], body["password"], body["tenant"], body["label"]
        )
    mend().membership.record_sign_in(actor.account_id, str(token_id), "token",
                                      [actor.tenant_id])
    access_trail.identify(actor)  # the access log's row of the token issued names them
    return {"token": token, "token_id": token_id, "account_id": actor.account_id,
            "tenant": mend().membership.tenant_slug(actor.tenant_id), "role": actor.role}


@bp.route("/members")
class Members(MethodView):
    @bp.response(200, s.MemberListSchema)
    def get(self):
        """The tenant's members and open invitations (staff)."""
        return {"members": mend().membership.members(current_actor())}

    @bp.arguments(s.InviteSchema)
    @bp.response(201, s.InvitationSchema)
    @bp.alt_response(404, response="NOT_FOUND", description="No such case for the inviter")
    def post(self, body):
        """Invite someone by email with a role; the token is single-use and expires.

        Owners invite any role; practitioners and supervisors invite clients, optionally
        straight into a case they can see (`case_id`)."""
        saved = mend().membership.invite(current_actor(), **body)
        invitation = saved.result
        return {
            "account_id": invitation.account_id,
            "invite_url": f"{mend().settings.public_url}/invitations/{invitation.token}",
            "token": invitation.token,
            "expires_at": invitation.expires_at,
        }


@bp.route("/auth/tokens", methods=["GET"])
@bp.response(200, s.TokenListSchema)
def list_tokens():
    """The caller's active bearer tokens in this tenant."""
    ids = mend().membership.tokens(current_actor())
    return {"tokens": [{"token_id": str(token_id)} for token_id in ids]}


@bp.route("/auth/tokens/<uuid:token_id>/revoke", methods=["POST"])
@bp.response(204)
def revoke_token(token_id):
    """Revoke one of the caller's tokens; it stops working on the next request."""
    mend().membership.revoke_token(current_actor(), token_id)


@bp.route("/members/<uuid:account_id>/role", methods=["POST"])
@bp.arguments(s.RoleSchema)
@bp.response(204)
def change_role(body, account_id):
    """Change a member's role (owner); a tenant always keeps one owner."""
    mend().membership.change_role(current_actor(), account_id, body["role"])


@bp.route("/tenant/time-zone", methods=["POST"])
@bp.arguments(s.TimeZoneSchema)
@bp.response(204)
def set_time_zone(body):
    """Set the tenant's time zone (owner): dates and times typed in forms without an offset
    are read in it."""
    mend().membership.set_time_zone(current_actor(), body["time_zone"])


@bp.route("/members/<uuid:account_id>/revoke", methods=["POST"])
@bp.response(204)
def revoke_member(account_id):
    """End a membership (owner): the member's sessions and tokens stop working at once."""
    mend().membership.revoke_member(current_actor(), account_id)


@bp.route("/members/<uuid:account_id>/withdraw-invitation", methods=["POST"])
@bp.response(204)
def withdraw_invitation(account_id):
    """Take back an open invitation (owner): its link stops working at once. Inviting the
    same email again sends a new link instead (the old one stops working too)."""
    mend().membership.withdraw_invitation(current_actor(), account_id)


@bp.route("/invitations/<string:token>/accept", methods=["POST"])
@public
@wrong_credentials
@bp.arguments(s.AcceptSchema)
@bp.response(200, s.AcceptedSchema)
def accept_invitation(body, token):
    """Redeem an invitation by choosing a password (public; the token is the credential)."""
    try:
        slug = mend().membership.invitation(token).tenant_slug
    except NotFound:
        slug = None  # refused below, as an unknown or expired link always is
    saved = mend().membership.accept_invitation(token, body["password"], body["name"])
    if slug is not None:  # joining is a change of privilege: the row names the new member
        access_trail.identify(mend().membership.actor_for(saved.result, slug))
    return {"account_id": saved.result}
