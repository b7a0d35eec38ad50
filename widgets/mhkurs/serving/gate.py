"""Admission control for course pages: how many kernels may live, per server and per client.

Plain Python with an injectable clock, so the rules are tested without a server. The Voila app in
``mhkurs.serving.app`` asks :meth:`KernelGate.admit` before it renders a page (every render costs a
kernel) and :meth:`KernelGate.unused` which kernels to shut down because no browser ever connected.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

KERNEL_MIB = 80
"""Memory to plan per live kernel: 67 MiB measured resident (docs/HOSTING.md) plus headroom."""


@dataclass(frozen=True)
class Limits:
    max_kernels: int
    """Live kernels on this server, the preheated pool included."""
    per_client: int
    """Live kernels one client address may hold (a learner with several pages open)."""
    unconnected_timeout: float = 60.0
    """Seconds after which a rendered page's kernel is shut down if no browser connected to it."""
    retry_after: int = 30
    """Seconds a refused visitor is told to wait."""

    @classmethod
    def from_memory(cls, memory_mib: int, per_client: int = 12, kernel_mib: int = KERNEL_MIB,
                    **kwargs) -> "Limits":
        """Limits for a server given ``memory_mib`` MiB for kernels."""
        return cls(max_kernels=max(1, memory_mib // kernel_mib), per_client=per_client, **kwargs)


@dataclass(frozen=True)
class Refusal:
    status: int
    """503 when the server is full, 429 when one client holds too many pages."""
    reason: str
    retry_after: int


@dataclass
class KernelGate:
    limits: Limits
    clock: Callable[[], float] = time.monotonic
    owners: dict[str, str] = field(default_factory=dict)
    """kernel id -> client address of the render it was handed to."""
    born: dict[str, float] = field(default_factory=dict)
    connected: set[str] = field(default_factory=set)
    pending: dict[str, int] = field(default_factory=dict)
    """Admitted renders that have not handed out their kernel yet, per client."""
    refused: int = 0

    def admit(self, client: str, live: Iterable[str]) -> Refusal | None:
        """None if a render from ``client`` may start now (and count it as pending), else why not."""
        live = set(live)
        self.forget_dead(live)
        in_flight = sum(self.pending.values())
        mine = sum(1 for k, who in self.owners.items() if who == client) + self.pending.get(client, 0)
        if mine >= self.limits.per_client:
            self.refused += 1
            return Refusal(429, f"client {client} holds {mine} pages (limit {self.limits.per_client})",
                           self.limits.retry_after)
        if len(live) + in_flight >= self.limits.max_kernels:
            self.refused += 1
            return Refusal(503, f"{len(live)} live kernels + {in_flight} starting (limit {self.limits.max_kernels})",
                           self.limits.retry_after)
        self.pending[client] = self.pending.get(client, 0) + 1
        return None

    def done(self, client: str, kernel_id: str | None) -> None:
        """The admitted render of ``client`` is over; ``kernel_id`` is the kernel it was given, if any."""
        left = self.pending.get(client, 0) - 1
        if left > 0:
            self.pending[client] = left
        else:
            self.pending.pop(client, None)
        if kernel_id:
            self.owners[kernel_id] = client
            self.born[kernel_id] = self.clock()

    def saw_connection(self, kernel_id: str) -> None:
        self.connected.add(kernel_id)

    def unused(self, live: Iterable[str]) -> list[str]:
        """Kernels handed to a render whose browser never connected within the timeout."""
        now = self.clock()
        return sorted(k for k in live if k in self.born and k not in self.connected
                      and now - self.born[k] >= self.limits.unconnected_timeout)

    def forget_dead(self, live: set[str]) -> None:
        for k in [k for k in self.owners if k not in live]:
            self.owners.pop(k, None)
            self.born.pop(k, None)
            self.connected.discard(k)
