"""Build a Switch from a configured company (ctiswitch.config.model)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .clock import Clock
from .directory import Behaviour, ConferenceRoom, Device, ExternalNumber, Group, Member, TurretLine, User
from .states import MAX_CALLS, DeviceType, GroupKind, RingMode
from .switch import Switch

if TYPE_CHECKING:
    from ctiswitch.config.model import Company


def build_switch(company: "Company", clock: Clock) -> Switch:
    switch = Switch(clock, node_ip=company.node.ip)
    switch.voicemail_number = company.voicemail.number
    switch.voicemail_answer_delay = company.voicemail.answer_delay
    switch.voicemail_greeting_seconds = company.voicemail.greeting
    if company.dva is not None:
        switch.dva_number = company.dva.number
        switch.dva_answer_delay = company.dva.answer_delay
    for room in company.conference_rooms:
        switch.conference_rooms[room.number] = ConferenceRoom(room.number, room.capacity, room.pin)
    switch.business_codes = frozenset(company.business_codes)
    ext = company.external
    switch.outside_prefix = ext.outside_prefix
    switch.external_min_digits = ext.min_digits
    switch.external_answer_after = ext.answer_after
    switch.trunk_channels = ext.trunk_channels
    for number in ext.numbers:
        switch.externals[number.number] = ExternalNumber(number.number, number.outcome, number.delay, number.name)

    for cfg in company.users:
        user = User(
            login=cfg.login, first_name=cfg.first_name, last_name=cfg.last_name, secret=cfg.secret,
            number=cfg.devices[0].number if cfg.devices else cfg.login, language=cfg.language,
            email=cfg.email, did=cfg.did, pin=cfg.pin, has_mailbox=cfg.mailbox,
            no_answer_seconds=cfg.no_answer_seconds, external_calls=cfg.external_calls,
            associate=cfg.associate,
        )
        for dcfg in cfg.devices:
            dtype = DeviceType(dcfg.type)
            device = Device(dcfg.number, dtype, MAX_CALLS[dtype], user=user, mac=dcfg.mac,
                            behaviour=Behaviour(dcfg.behaviour.mode, dcfg.behaviour.delay))
            user.devices.append(device)
            switch.devices[device.number] = device
        switch.users[user.login] = user
        if user.did:
            switch.dids[user.did] = user

    for scfg in company.desk_sharing_sets:
        device = Device(scfg.number, DeviceType.DESKPHONE, MAX_CALLS[DeviceType.DESKPHONE],
                        behaviour=Behaviour(scfg.behaviour.mode, scfg.behaviour.delay), desk_sharing=True)
        switch.devices[device.number] = device

    for gcfg in company.groups:
        group = Group(
            number=gcfg.number, name=gcfg.name, kind=GroupKind(gcfg.kind), ring_mode=RingMode(gcfg.ring_mode),
            members=[], no_answer_seconds=gcfg.no_answer_seconds, queue_enabled=gcfg.queue_enabled,
            voicemail_seconds=gcfg.voicemail_seconds, overflow=gcfg.overflow,
        )
        for login in gcfg.members:
            member = Member(switch.users[login])
            group.members.append(member)
            switch._index_member(group, member.user)
        switch.groups[group.number] = group

    for profile in company.turret_profiles:
        for line in profile.lines:
            if line.name in switch.lines:
                continue
            device = Device(line.number, DeviceType.TURRET_LINE, MAX_CALLS[DeviceType.TURRET_LINE])
            switch.devices[line.number] = device
            switch.lines[line.name] = TurretLine(line.name, device, line.outgoing)
    return switch
