# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checkpoint file of a migration, and the progress of one run recorded in it.

The file holds, per scan segment, the LastEvaluatedKey of the last page whose items were all written, and the
counts so far. It is saved after every written page, so a resumed run re-puts at most the one page per segment
that was in flight when the run was killed; puts are idempotent, so the overlap never duplicates an item. Its fingerprint (tables, transform,
segmentation) ties it to one migration: a run with other settings refuses it instead of resuming from it.
"""

import base64
import datetime
import hashlib
import json
import os
import threading

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError

CHECKPOINT_VERSION = 1
MAX_FAILED_EXAMPLES = 5

COMPLETE = "complete"
IN_PROGRESS = "in_progress"

COUNT_NAMES = ("items_scanned", "items_written", "items_filtered", "items_failed")


def encode_key(key):
    """A LastEvaluatedKey as JSON-safe data (binary values base64)."""
    if key is None:
        return None
    encoded = {}
    for name, value in key.items():
        (kind, raw), = value.items()
        encoded[name] = {kind: base64.b64encode(raw).decode("ascii") if kind == "B" else raw}
    return encoded


def decode_key(encoded):
    if encoded is None:
        return None
    key = {}
    for name, value in encoded.items():
        (kind, raw), = value.items()
        key[name] = {kind: base64.b64decode(raw) if kind == "B" else raw}
    return key


def without_empty(value):
    """The transform option without unset parts: `rename: {}` and an omitted rename are the same transform."""
    if isinstance(value, dict):
        return dict((name, without_empty(element)) for name, element in value.items()
                    if element is not None and element != {} and element != [])
    if isinstance(value, list):
        return [without_empty(element) for element in value]
    return value


def migration_fingerprint(identity, transform_spec, total_segments):
    """What a checkpoint belongs to: tables (and their regions), transform and segmentation."""
    document = json.dumps(dict(identity=identity, transform=without_empty(transform_spec or {}),
                               total_segments=total_segments), sort_keys=True, default=str)
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def new_checkpoint(fingerprint, identity, total_segments):
    return dict(
        version=CHECKPOINT_VERSION, fingerprint=fingerprint, identity=identity, total_segments=total_segments,
        status=IN_PROGRESS, started_at=now_iso(), updated_at=now_iso(), completed_at=None,
        segments=[dict(segment=index, complete=False, last_evaluated_key=None,
                       **dict((name, 0) for name in COUNT_NAMES)) for index in range(total_segments)],
        failed_examples=[])


def load_checkpoint(path):
    """The checkpoint dict, or None when the file does not exist. Raises InputError when it is unusable."""
    if not path or not os.path.exists(path):
        return None
    try:
        with open(path) as handle:
            checkpoint = json.load(handle)
    except (OSError, ValueError) as e:
        raise InputError(message="Checkpoint %s cannot be read (%s); move it away to start over" % (path, e))
    if not isinstance(checkpoint, dict) or checkpoint.get("version") != CHECKPOINT_VERSION:
        raise InputError(message="Checkpoint %s is not a version %d migration checkpoint; move it away to start "
                                 "over" % (path, CHECKPOINT_VERSION))
    return checkpoint


def checkpoint_text(checkpoint):
    checkpoint["updated_at"] = now_iso()
    return json.dumps(checkpoint, sort_keys=True)


def save_checkpoint(path, checkpoint):
    """Write atomically: a kill at any moment leaves either the previous or the new checkpoint, never half."""
    write_checkpoint_text(path, checkpoint_text(checkpoint))


def write_checkpoint_text(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    temporary = "%s.%d.tmp" % (path, os.getpid())
    try:
        os.makedirs(directory, exist_ok=True)
        with open(temporary, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as e:
        raise InputError(message="Cannot write checkpoint %s: %s" % (path, e))


def plan_start(checkpoint, fingerprint, overwrite, path=None):
    """fresh, resume or complete, from what the checkpoint says. Raises InputError for another migration's file."""
    if checkpoint is None or overwrite:
        return "fresh"
    if checkpoint.get("fingerprint") != fingerprint:
        raise InputError(message="Checkpoint %s belongs to a different migration (tables, transform or "
                                 "total_segments changed). Delete it, or set overwrite=true to copy everything "
                                 "again under the new settings" % path)
    return COMPLETE if checkpoint.get("status") == COMPLETE else "resume"


def totals(segments):
    return dict((name, sum(segment[name] for segment in segments)) for name in COUNT_NAMES)


class Progress:
    """The checkpoint of one run and this run's own counts, shared by the segment workers under one lock.

    The file is rewritten after every page whose items are written (a few hundred bytes per segment, replaced
    atomically), so it trails the writes by at most the page each segment has in flight; never in check mode or
    without a checkpoint path. The snapshot is taken under the lock and written under another one, so that the
    workers do not wait on each other's disk writes; an older snapshot never replaces a newer one.
    """

    def __init__(self, plan, check_mode, clock):
        self.plan = plan
        self.check_mode = check_mode
        self.clock = clock
        self.lock = threading.Lock()
        self.file_lock = threading.Lock()
        self.checkpoint = None
        self.run_counts = dict((name, 0) for name in COUNT_NAMES)
        self.snapshots = 0
        self.saved_snapshot = 0
        self.resumed = False
        self.start = None

    def load_or_start(self):
        """fresh, resume or complete (see plan_start), with the checkpoint to go on from in self.checkpoint."""
        fingerprint = migration_fingerprint(self.plan.identity, self.plan.transform_spec, self.plan.total_segments)
        existing = load_checkpoint(self.plan.checkpoint_path)
        start = self.start = plan_start(existing, fingerprint, self.plan.overwrite, self.plan.checkpoint_path)
        if start == "fresh":
            self.checkpoint = new_checkpoint(fingerprint, self.plan.identity, self.plan.total_segments)
        else:
            self.checkpoint = existing
            self.resumed = start == "resume"
        return start

    @property
    def saving(self):
        return bool(self.plan.checkpoint_path) and not self.check_mode

    def snapshot(self):
        """(number, text) of the checkpoint as it is now; the caller holds the lock."""
        self.snapshots += 1
        return self.snapshots, checkpoint_text(self.checkpoint)

    def write(self, snapshot):
        """Write a snapshot unless a newer one is already on disk."""
        number, text = snapshot
        with self.file_lock:
            if number > self.saved_snapshot:
                write_checkpoint_text(self.plan.checkpoint_path, text)
                self.saved_snapshot = number

    def save_now(self):
        """Save the checkpoint as it is (before the first write: it also proves the path writable)."""
        if self.saving:
            with self.lock:
                snapshot = self.snapshot()
            self.write(snapshot)

    save_before_writes = save_now

    def page_done(self, segment, last_evaluated_key, counts, examples):
        """Record a page whose kept items are all written (a checkpoint never runs ahead of the writes), and save."""
        with self.lock:
            state = self.checkpoint["segments"][segment]
            state["last_evaluated_key"] = encode_key(last_evaluated_key)
            state["complete"] = last_evaluated_key is None
            for name in COUNT_NAMES:
                state[name] += counts[name]
                self.run_counts[name] += counts[name]
            room = MAX_FAILED_EXAMPLES - len(self.checkpoint["failed_examples"])
            self.checkpoint["failed_examples"].extend(examples[:max(room, 0)])
            snapshot = self.snapshot() if self.saving else None
        if snapshot:
            self.write(snapshot)

    def complete(self):
        self.checkpoint["status"] = COMPLETE
        self.checkpoint["completed_at"] = now_iso()
        self.save_now()
