"""Many small, distinct, project-written news articles, for the crash test and the load bench.

Each article is a deterministic function of its number: a town, a project, a named official quoted with
a figure, so every one has facts only it contains (`fact(n)` is a question about article n and the words
its answer must contain).
"""
from __future__ import annotations

from pathlib import Path

TOWNS = ["Ashford", "Brookmere", "Caldwell", "Dunmore", "Eastvale", "Fairhaven", "Glenrock", "Hollins",
         "Ivybridge", "Juniper Falls", "Kestrel Bay", "Larchmont", "Millbrook", "Northgate", "Oakridge",
         "Pinecrest", "Quarry Hill", "Redwater", "Stonebridge", "Thornbury"]
PROJECTS = [("bridge", "repair of the old river bridge"), ("library", "new public library wing"),
            ("tram", "tram line extension"), ("school", "rebuilt primary school"),
            ("harbor", "harbor seawall upgrade"), ("clinic", "community health clinic"),
            ("park", "riverside park restoration"), ("water", "water treatment plant"),
            ("market", "covered farmers market"), ("solar", "municipal solar farm"),
            ("stadium", "youth sports stadium"), ("depot", "electric bus depot")]
FIRST = ["Amara", "Bruno", "Celia", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Keiko",
         "Luca", "Maren", "Nikhil", "Olga", "Pavel", "Quinn", "Rosa", "Sanjay", "Tamsin", "Ulla", "Viktor"]
LAST = ["Abbott", "Brandt", "Castillo", "Duarte", "Ekström", "Fitzgerald", "Grant", "Halvorsen", "Iqbal",
        "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rahman"]
SOURCES = ["Valley Ledger", "Coastal Times", "Harbor Gazette", "County Courier"]


def parts(n: int) -> dict:
    town = TOWNS[n % len(TOWNS)]
    key, project = PROJECTS[(n // len(TOWNS)) % len(PROJECTS)]
    official = f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}"
    return {"town": town, "key": key, "project": project, "official": official, "cost": 3 + (n * 37) % 90,
            "months": 4 + n % 29, "jobs": 20 + (n * 13) % 400, "day": 1 + n % 28, "month": 1 + (n // 28) % 12,
            "source": SOURCES[n % len(SOURCES)], "n": n}


def article(n: int) -> str:
    p = parts(n)
    return f"""{p['town']} approves the {p['project']} (report {p['n']})
By {p['official'].split()[0]} Reporter

{p['town'].upper()} ({p['source']}) 2024-{p['month']:02d}-{p['day']:02d} -- The {p['town']} council approved the \
{p['project']} on Tuesday, report number {p['n']}, after a vote that ran late into the evening.

{p['official']}, the council's project director, said the {p['key']} work would cost {p['cost']} million dollars \
and take {p['months']} months to finish.

The council expects the project to create {p['jobs']} local jobs, most of them in construction and maintenance.

Residents who spoke at the meeting asked for quieter night work and for the {p['key']} site to stay open to \
walkers during the works.

The first contracts for report {p['n']} will be signed next month, and a public update is planned for the autumn.
"""


def fact(n: int) -> tuple[str, list[str]]:
    """A question only article n answers, and words the cited paragraph must contain."""
    p = parts(n)
    return (f"How much will the {p['key']} work in {p['town']} cost, according to {p['official']}?",
            [p["official"], f"{p['cost']} million"])


def write_articles(folder: Path, count: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (folder / f"report-{n:04d}.txt").write_text(article(n), encoding="utf-8")
    return folder
