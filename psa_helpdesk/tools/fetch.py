# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Narrow reads."""


def fetch_missing(records, fnames):
    """Read the fields ``fnames`` (a list of field names) of the saved
    records of ``records`` that do not have the first of them in the cache,
    in one query, and nothing else.

    For code that needs one or two fields of records nobody loaded yet (a
    list page's tickets, a ticket's contract): reading the field through the
    record would load every prefetchable field of the records. Access is
    checked as ``records.fetch`` checks it (give sudo records for what the
    engine reads whatever the user may)."""
    field = records._fields[fnames[0]]
    missing = [id_ for id_ in records.env.cache.get_missing_ids(records, field) if id_]
    if missing:
        records.browse(missing).fetch(fnames)
