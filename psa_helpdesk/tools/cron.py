# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The one batch loop of every psa scheduled action (priority aging, SLA
status refresh, SLA alerts, business hours of the ticket history).

``run_in_batches(records, process)`` calls ``process(batch)`` on batches of
``records``, each in its own savepoint. A batch that raises is redone record
by record, so one failing record is logged and skipped, never its batch.
After each batch the scheduled action reports its progress to ``ir.cron``
and, run by a cron worker, commits, so a run interrupted later keeps what it
did. Anywhere else the caller owns the transaction and nothing is committed:
a run started by hand ("Run Manually": ``ir.cron`` locks the action in that
very transaction, and a commit would release the lock while the run goes
on), a call from code (loading demo data), a test.

``trigger(env, xmlid, at, delay)`` wakes a psa scheduled action from a
request without reading it, and without a new trigger row while one this
process committed will run it in time.
"""

import functools
import logging
from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.modules import module as odoo_module
from odoo.tools import SQL, split_every

_logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000


def _worker_run(env):
    """Whether this is a run of a cron worker, which holds the action's lock
    on a cursor of its own (context key ``cron_id``, set by ``ir.cron`` for
    its workers only) and may commit the work as it goes."""
    return bool(env.context.get("cron_id")) and not odoo_module.current_test


def notify_progress(env, done, remaining):
    """End of a batch of a psa scheduled action: progress, and a commit in a
    cron worker's run (``_worker_run``)."""
    env["ir.cron"]._notify_progress(done=done, remaining=remaining)
    if _worker_run(env):
        # Commit each batch: a run interrupted later (worker timeout,
        # restart) keeps the batches already done, e.g. the SLA alerts
        # already sent *and* marked, so the next run neither loses nor
        # repeats them (alerts and their marks are in one transaction; emails
        # are queued in mail.mail and sent after commit). Not in a run by
        # hand, whose lock on the action is held by this very transaction,
        # nor in tests, which roll back, nor from code that owns the
        # transaction (e.g. loading demo data).
        env.cr.commit()  # pylint: disable=invalid-commit


def _run_one(batch, process):
    """``process(batch)`` in a savepoint, flushed inside it so that database
    errors surface there; True when it went through."""
    with batch.env.cr.savepoint():
        process(batch)
        batch.env.flush_all()
    return True


def run_in_batches(records, process, batch_size=DEFAULT_BATCH_SIZE, what=None):
    """Run ``process`` over ``records`` in batches of ``batch_size``.

    :param records: the recordset to work on (its ids are split in batches)
    :param process: callable taking a recordset of the same model
    :param what: how the log names the work (default: the model's name)
    :return: the records that failed and were skipped (logged with their
        traceback); they stay as they were, so the next run tries them again
    """
    what = what or records._name
    failed = records.browse()
    total = len(records)
    done = 0
    for batch_ids in split_every(batch_size, records.ids):
        batch = records.browse(batch_ids)
        try:
            _run_one(batch, process)
        except Exception:
            if len(batch) == 1:
                _logger.exception("%s failed for record %s; skipped", what, batch.id)
                failed |= batch
            else:
                for record in batch:
                    try:
                        _run_one(record, process)
                    except Exception:
                        _logger.exception(
                            "%s failed for record %s; skipped", what, record.id
                        )
                        failed |= record
        done += len(batch_ids)
        notify_progress(records.env, done, total - done)
    return failed


# Triggers this process committed and whose time has not come:
# {(database, xmlid): {naive UTC datetime}}, pruned as times pass. Filled
# after the COMMIT (postcommit callbacks) with the trigger rows the commit
# really kept, read back on a cursor of their own (``_remember``): a
# transaction rolled back leaves nothing, and neither does a savepoint
# rolled back in a transaction that commits (an import's test run, a record
# skipped by ``run_in_batches``). Precommit callbacks would not do: they run
# at every flush, savepoints included, before a rollback is known.
# The memory of the transaction itself (``precommit.data``) is emptied by
# the rollback of a savepoint that flushes (``cr.savepoint()``, Odoo's
# default: ``cr.clear()``), not by one made with ``flush=False`` or by hand
# (``ROLLBACK TO SAVEPOINT``): until the next flush, a trigger rolled back
# that way still spares the same trigger in that transaction.
_COMMITTED = {}
# Tests roll back and replay frozen times: the memory would carry a trigger
# from one test to the next. Off in tests, but for the tests of the memory.
MEMORY_IN_TESTS = False
# A committed trigger spares a new one only if it is due this much later
# than now: the request asking for the new one commits before the action
# runs and reads what it wrote.
COMMIT_MARGIN = timedelta(seconds=20)


def _pending(env, cron_id, now, at):
    """Whether the database holds a trigger of the action ``cron_id`` due
    after ``now`` plus ``COMMIT_MARGIN`` and at or before ``at`` (naive UTC):
    committed, or written by this transaction. One indexed query; the
    trigger rows are the system's bookkeeping, read whoever the user is."""
    env["ir.cron.trigger"].flush_model(["cron_id", "call_at"])
    env.cr.execute(
        SQL(
            "SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s"
            " AND call_at > %s AND call_at <= %s LIMIT 1",
            cron_id,
            now + COMMIT_MARGIN,
            at,
        )
    )
    return bool(env.cr.rowcount)


def _remember(registry, written):
    """After a commit: remember the triggers of ``written`` (a list of
    ``(xmlid, naive UTC datetime, trigger id)``) that the commit kept.

    Read on a new cursor: the committed one must not start a transaction of
    its own (the mail fetcher and a shell go on using it). The memory only
    spares rows, so a failed read leaves it as it was."""
    ids = [trigger_id for _xmlid, _at, trigger_id in written]
    try:
        with registry.cursor() as cr:
            cr.execute(SQL("SELECT id FROM ir_cron_trigger WHERE id = ANY(%s)", ids))
            kept = {row[0] for row in cr.fetchall()}
    except psycopg2.Error as error:
        # e.g. the connection pool is full (PoolError): the next requests
        # look up the database instead (``_pending``); one line, not a
        # traceback each
        _logger.info("Committed triggers %s not read back: %s", ids, error)
        return
    for xmlid, at, trigger_id in written:
        if trigger_id in kept:
            _COMMITTED.setdefault((registry.db_name, xmlid), set()).add(at)


def _remember_after_commit(env, xmlid, at, trigger_id):
    """Have ``_remember`` learn the trigger after the commit, with the other
    triggers the transaction wrote (one read for all of them)."""
    written = env.cr.postcommit.data.get("psa_cron_written")
    if written is None:
        written = env.cr.postcommit.data["psa_cron_written"] = []
        env.cr.postcommit.add(functools.partial(_remember, env.registry, written))
    written.append((xmlid, at, trigger_id))


def _memory_on():
    return not odoo_module.current_test or MEMORY_IN_TESTS


def _committed(env, xmlid, now):
    """The times of the committed, future triggers of ``xmlid`` (pruned)."""
    if not _memory_on():
        return frozenset()
    key = (env.cr.dbname, xmlid)
    times = _COMMITTED.get(key)
    if not times:
        return frozenset()
    # A copy (made while holding the interpreter lock): the threads of a
    # threaded server add to the set after their commits.
    snapshot = frozenset(times)
    past = {time for time in snapshot if time <= now}
    times.difference_update(past)
    return snapshot - past


def trigger(env, xmlid, at=None, delay=None):
    """Make the scheduled action ``xmlid`` run at ``at`` (naive UTC; default
    now, or ``delay`` from now), as ``ir.cron._trigger`` does, without
    reading the action: its id comes from the cached xmlid lookup.

    No trigger row is written when the action will run by then anyway:

    - in this transaction, a trigger at the same time, or any trigger at or
      before now for a trigger "now";
    - committed by this process: a trigger due at or before ``at`` and more
      than ``COMMIT_MARGIN`` from now (this request's data is committed by
      then, so that run sees it), read back after its commit (one query on a
      cursor of its own per committing transaction that wrote triggers).
      Scheduled actions woken with a ``delay`` (the history's business
      hours: a minute) so get one trigger per process and delay, not one
      per request; one woken at a time of its own (the SLA refresh at the
      first warning of its clocks) none while an earlier run is pending.
      After a run, the action schedules its next run itself, or the
      periodic schedule catches up;
    - for a time later than now, the same found in the database
      (``_pending``): a trigger another process committed, or one this
      transaction wrote (rolled back with it, savepoints included), read
      with one query instead of writing a row.

    Scheduling the system's own bookkeeping: done as superuser, whoever the
    user is. Does nothing when the action does not exist (uninstalled data).
    A trigger of an archived action is never run (``ir.cron`` ignores it).

    :param delay: a ``timedelta``; ignored when ``at`` is given
    :return: whether a trigger was created"""
    now = fields.Datetime.now()
    if at is None and delay:
        at = now + delay
    asap = at is None or at <= now
    at = now if asap else at
    done = env.cr.precommit.data.setdefault("psa_cron_triggers", {})
    times = done.setdefault(xmlid, set())
    if at in times or (asap and any(time <= now for time in times)):
        return False
    if any(now + COMMIT_MARGIN < time <= at for time in _committed(env, xmlid, now)):
        return False
    cron_id = env["ir.model.data"]._xmlid_to_res_id(xmlid, raise_if_not_found=False)
    if not cron_id:
        return False
    if not asap and _pending(env, cron_id, now, at):
        times.add(at)
        return False
    row = env["ir.cron.trigger"].sudo().create({"cron_id": cron_id, "call_at": at})
    times.add(at)
    if at > now + COMMIT_MARGIN and _memory_on():
        # (a trigger due sooner spares nothing: not worth remembering)
        _remember_after_commit(env, xmlid, at, row.id)
    if at <= now:
        # wake the cron workers after the commit, as ir.cron._trigger does
        env.cr.postcommit.add(env["ir.cron"].browse(cron_id)._notifydb)
    return True
