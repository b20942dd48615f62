"""Persons' profiles: a job and a birthplace, drawn from the paper's own pools.

In PEBench each fictitious person is a made-up identity with a profile (the paper's Table 4 lists
the jobs by category, Table 5 the birthplaces by region), from which the person's pictures were
generated. The pools below are those tables, transcribed from Xu et al., *PEBench*, arXiv
2503.12545v1 (CC BY 4.0), Tables 4 and 5, in the paper's order (the order is part of the dataset's
determinism: never reorder).

A profile is part of who the person is and is shown in chapter 1; the questions ask for the name,
as the paper's person questions do.
"""

from __future__ import annotations

import numpy as np

JOBS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Science & Research", ("Biologist", "Physicist", "Archaeologist", "Ecologist")),
    ("Healthcare & Medicine", ("Doctor", "Nurse", "Physical Therapist", "Psychologist")),
    (
        "Technology & Engineering",
        ("Software Developer", "Electrical Engineer", "Mechanical Engineer", "Cybersecurity Specialist"),
    ),
    ("Environmental & Agriculture", ("Environmental Scientist", "Agronomist", "Forester", "Soil Scientist")),
    ("Arts & Creative Fields", ("Painter", "Musician", "Writer", "Graphic Designer")),
    ("Business & Finance", ("Accountant", "Market Analyst", "Financial Advisor", "Project Manager")),
    ("Public Service & Community Support", ("Police Officer", "Firefighter", "Social Worker", "Nonprofit Coordinator")),
    ("Education & Culture", ("Teacher", "Trainer", "Librarian", "Museum Curator")),
    ("Media & Communications", ("Journalist", "Broadcaster", "Content Creator", "Public Relations Specialist")),
    ("Architecture & Construction", ("Architect", "Civil Engineer", "Construction Worker", "Surveyor")),
    ("Law & Policy", ("Lawyer", "Judge", "Policy Analyst", "Legislative Assistant")),
    ("Retail & Services", ("Retail Manager", "Customer Service Representative", "Hotel Concierge", "Sales Associate")),
    ("Sports & Fitness", ("Athlete", "Fitness Coach", "Physical Trainer", "Yoga Instructor")),
    ("Logistics & Transportation", ("Logistics Manager", "Truck Driver", "Pilot", "Shipping Coordinator")),
    ("Energy & Natural Resources", ("Petroleum Engineer", "Geologist", "Renewable Energy Consultant", "Miner")),
    (
        "Unemployed",
        ("Job Seeker", "Stay-at-home Parent", "Retired", "Freelancer", "Entrepreneur", "Consultant", "Artist"),
    ),
    (
        "Students",
        (
            "Primary School Student",
            "Junior High Student",
            "High School Junior",
            "Undergraduate Student",
            "Community College Student",
            "Master’s Student",
            "Doctoral Student",
            "Research Assistant",
            "Apprentice",
            "Technical School Student",
        ),
    ),
)
BIRTHPLACES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "North America",
        ("New York City, USA", "Toronto, Canada", "Mexico City, Mexico", "Vancouver, Canada", "San Juan, Puerto Rico"),
    ),
    (
        "South America",
        ("São Paulo, Brazil", "Buenos Aires, Argentina", "Caracas, Venezuela", "Quito, Ecuador", "Lima, Peru"),
    ),
    (
        "Europe",
        (
            "Paris, France",
            "Berlin, Germany",
            "Stockholm, Sweden",
            "Helsinki, Finland",
            "Zurich, Switzerland",
            "Lisbon, Portugal",
            "Dublin, Ireland",
            "Warsaw, Poland",
            "Vienna, Austria",
            "Reykjavik, Iceland",
            "Bucharest, Romania",
        ),
    ),
    (
        "Africa",
        (
            "Cairo, Egypt",
            "Cape Town, South Africa",
            "Lagos, Nigeria",
            "Nairobi, Kenya",
            "Accra, Ghana",
            "Dakar, Senegal",
            "Addis Ababa, Ethiopia",
            "Casablanca, Morocco",
            "Kigali, Rwanda",
        ),
    ),
    (
        "Asia",
        (
            "Tokyo, Japan",
            "Mumbai, India",
            "Seoul, South Korea",
            "Bangkok, Thailand",
            "Istanbul, Turkey",
            "Dubai, United Arab Emirates",
            "Jakarta, Indonesia",
            "Hanoi, Vietnam",
            "Amman, Jordan",
            "Doha, Qatar",
            "Ulaanbaatar, Mongolia",
            "Male, Maldives",
            "Phnom Penh, Cambodia",
            "Beijing, China",
            "Shanghai, China",
        ),
    ),
    (
        "Australia & Oceania",
        (
            "Sydney, Australia",
            "Wellington, New Zealand",
            "Brisbane, Australia",
            "Suva, Fiji",
            "Port Moresby, Papua New Guinea",
        ),
    ),
    ("Middle East", ("Riyadh, Saudi Arabia", "Tehran, Iran", "Baghdad, Iraq", "Beirut, Lebanon", "Muscat, Oman")),
)

#: The fields of a profile, in the order a profile lists them.
PROFILE_KEYS = ("job", "job_category", "birthplace", "region")


def _flatten(pool: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple[str, str]]:
    return [(item, group) for group, items in pool for item in items]


def pool_sizes() -> dict[str, int]:
    """How many jobs, job categories, birthplaces and regions the pools hold."""
    return {
        "jobs": len(_flatten(JOBS)),
        "job_categories": len(JOBS),
        "birthplaces": len(_flatten(BIRTHPLACES)),
        "regions": len(BIRTHPLACES),
    }


def make_profiles(n: int, rng: np.random.Generator) -> list[dict[str, str]]:
    """Return ``n`` profiles (:data:`PROFILE_KEYS`): a job and a birthplace each drawn uniformly.

    Profiles may repeat, as jobs and home towns do among real people; the name alone identifies a
    person.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    jobs, places = _flatten(JOBS), _flatten(BIRTHPLACES)
    job_picks, place_picks = rng.integers(len(jobs), size=n), rng.integers(len(places), size=n)
    return [dict(zip(PROFILE_KEYS, (*jobs[j], *places[p]))) for j, p in zip(job_picks.tolist(), place_picks.tolist())]
