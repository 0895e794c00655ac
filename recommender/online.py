"""Serving-side model lifecycle: one handle the agent reads the current model
from, feedback folded in immediately, and a background retrain that swaps in
a new model atomically.

Readers call `handle.model` and use what they got for the whole request; a
swap replaces the reference under a lock, so a request never sees half a
model. Feedback given since the handle was created is replayed onto the new
model (items it does not know are skipped), so a retrain does not forget
what a shopper said a minute ago.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from catalog.errors import NotFoundError
from recommender.core import ScoringRecommender

log = logging.getLogger(__name__)


class ModelHandle:
    """The current model of one catalog plus the feedback log."""

    def __init__(self, model: ScoringRecommender) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._feedback: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
        self.swaps = 0

    @property
    def model(self) -> ScoringRecommender:
        return self._model

    def fold_in(
        self, user_id: str, positive: Sequence[str] = (), negative: Sequence[str] = ()
    ) -> None:
        with self._lock:
            self._model.fold_in(user_id, positive, negative)
            self._feedback.append((user_id, tuple(positive), tuple(negative)))

    def swap(self, new: ScoringRecommender) -> None:
        """Make `new` the current model after replaying the feedback onto it."""
        with self._lock:
            for user, positive, negative in self._feedback:
                known_pos = [i for i in positive if i in new.item_index]
                known_neg = [i for i in negative if i in new.item_index]
                try:
                    new.fold_in(user, known_pos, known_neg)
                except NotFoundError:  # pragma: no cover - filtered above
                    log.warning("a shopper's feedback could not be replayed")
            self._model = new
            self.swaps += 1


class BackgroundRetrainer:
    """Runs `train()` in a daemon thread (once, or every `interval_s`) and swaps the result in."""

    def __init__(
        self,
        handle: ModelHandle,
        train: Callable[[], ScoringRecommender],
        interval_s: float | None = None,
    ) -> None:
        self.handle, self.train, self.interval_s = handle, train, interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None  # the last failure, kept for the caller to inspect

    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self._run, name="recommender-retrain", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.handle.swap(self.train())
                self.error = None
            except Exception as exc:  # keep serving the old model; the error is kept, not swallowed
                log.error("background retrain failed, keeping the current model: %s", exc)
                self.error = exc
            if self.interval_s is None or self._stop.wait(self.interval_s):
                return
