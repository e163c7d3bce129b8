"""Who acts: a person through a channel (the admin, the portal, the API), or the system.

Every service takes an ``actor``. What a person may do is Django's auth
(``user.has_perm(perm, obj)``, with the object-level backends of ``cases.permissions``);
the channel is recorded with the event, so the history says whether a change was made
in the admin, online by the applicant, or by another system through the API.

``SYSTEM`` is the actor of work nobody asked for at that moment: the deadline sweep,
management commands, data migrations, demo data. It may do everything, and it is never
what a request acts as: views build their actor from ``request.user``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cases.choices import Channel


@dataclass(frozen=True)
class Actor:
    user: Any  # a User; None only for the system
    channel: str

    @classmethod
    def admin(cls, user: Any) -> Actor:
        """A staff member working in the admin."""
        return cls(user=user, channel=Channel.ADMIN)

    @classmethod
    def api(cls, user: Any) -> Actor:
        """A person's program, through their personal API token (or their session)."""
        return cls(user=user, channel=Channel.API)

    @classmethod
    def portal(cls, user: Any) -> Actor:
        """An applicant or agency user acting online in the portal; what they may do is
        ``cases.permissions.PortalBackend``."""
        return cls(user=user, channel=Channel.PORTAL)

    @property
    def is_system(self) -> bool:
        return self.channel == Channel.SYSTEM

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        """``user.has_perm``; the system may do everything."""
        if self.is_system:
            return True
        return bool(self.user.has_perm(perm, obj))


SYSTEM = Actor(user=None, channel=Channel.SYSTEM)


def require_actor(actor: Any) -> Actor:
    """The actor of a write; anything else (``None`` in particular) is a programming error."""
    if not isinstance(actor, Actor):
        raise TypeError(
            f"A write needs an actor: Actor.admin(user), or actors.SYSTEM for the system's "
            f"own work; got {actor!r}."
        )
    if not actor.is_system and actor.user is None:
        raise TypeError("Only the system acts without a user.")
    return actor
