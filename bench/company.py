"""A generated company of N users for benchmarks: 5-digit extensions from
10000, one desk phone each, no mailbox (so unanswered calls never divert)."""
from __future__ import annotations

from ctiswitch.config.model import Company, Device, User
from ctiswitch.config.load import load_demo
from dataclasses import replace


def generated_company(users: int) -> Company:
    demo = load_demo()
    people = tuple(
        User(login=str(10000 + i), first_name="User", last_name=str(i), secret="1234",
             devices=(Device(number=str(10000 + i), type="deskphone"),), mailbox=False)
        for i in range(users)
    )
    return replace(demo, name=f"Generated ({users} users)", users=people, groups=(), turrets=(),
                   turret_profiles=(), external=replace(demo.external, numbers=()))
