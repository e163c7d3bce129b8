"""The REST API under ``/api/v1/``: the same services and selectors as the admin.

Requests act as ``Actor.api(user)``: the token's (or the session's) user, through the
API channel, so every write is a case event saying it came through the API. What a
caller may read is ``cases.selectors.api``; what they may do is the services' own checks,
whose refusals ``errors`` turns into HTTP statuses.
"""
