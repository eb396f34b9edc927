"""A hard evaluation set for the duplicate recipes, built independently of the demo generator.

A seeded, offline generator of a venture fund's CRM as Attio would export it: ~1,500 companies and ~2,500
people at ``scale=1``. Most records are unrelated background; planted among them are labelled *kinds* of
hard cases, each with true duplicates (``duplicate=True``) and hard negatives (``duplicate=False``) that
look alike on the same evidence, so a table per kind shows which evidence a matcher gets wrong.

Companies: shared website hosts (notion.site, webflow.io, …), a manager's numbered funds and SPVs, regional
entities on other TLDs, same-word companies ("Notion" / "Notion Capital"), the same name with and without a
domain, legal suffixes, "&" / "and", accents, misspellings, joined names, rebrands, TLD variants, and
parents and subsidiaries. People: a shared office phone, "Jr." / "Sr.", siblings, initials and names sharing
an initial, changed companies with one LinkedIn in other URL shapes, transliterations, a full name written
in ``first_name``, nicknames, and free-mail addresses.

Nothing here reads ``cleanup.sandbox.seed``: the word lists are hand-written below. The ground truth is the
``entity`` of every record (records of one entity are true duplicates) and the labelled pairs: each kind is
planted in small groups, and every pair of records within a group is labelled with the kind, a duplicate
when both are of one entity and a hard negative otherwise. Background records are all distinct (unique
names, domains and emails), so every true pair belongs to some kind.

    hs = generate(seed=7, scale=1.0)
    with sandbox_server("empty", config=SandboxConfig(read_rps=0, write_rps=0, company_from_email=False)) as sb:
        ids = load(sb, hs)             # record key -> Attio record id
"""

from __future__ import annotations

import contextlib
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

COMPANIES, PEOPLE = "companies", "people"
City = tuple[str, str, str, str, int]  # locality, region, country code, phone prefix, digits after it

COMPANY_KINDS = (  # the keys of COMPANY_MAKERS
    "shared_host",
    "fund_family",
    "regional_entity",
    "same_word",
    "no_domain",
    "legal_suffix",
    "ampersand",
    "accent",
    "misspelt",
    "joined_name",
    "rebrand",
    "tld_variant",
    "parent_subsidiary",
)
PEOPLE_KINDS = (
    "shared_phone",
    "jr_sr",
    "siblings",
    "initial",
    "changed_company",
    "transliteration",
    "full_name_in_first",
    "nickname",
    "free_mail",
)

# ------------------------------------------------------------------------------------------ word lists
ADJECTIVES = (
    "Blue", "North", "Silver", "Iron", "Bright", "Clear", "Deep", "True", "Open", "Swift", "Red", "Green",
    "Golden", "Quiet", "Bold", "High", "Wild", "Lunar", "Solar", "Polar", "Cedar", "Maple", "Copper",
    "Amber", "Coral", "Hidden", "First", "Summit", "Urban", "Prime", "Little", "Grand", "Noble", "Rapid",
)  # fmt: skip
NOUNS = (
    "Fjord", "Harbor", "Pine", "Ridge", "Stone", "Leaf", "Signal", "Vector", "Orbit", "Lattice", "Beacon",
    "Canyon", "Meadow", "Falcon", "Otter", "Comet", "Prism", "Anchor", "Bridge", "Forge", "Grove", "Haven",
    "Lantern", "Mesa", "Quarry", "River", "Sparrow", "Tide", "Willow", "Atlas", "Kite", "Badger", "Heron",
)  # fmt: skip
SYLLABLES = (
    "zen", "ova", "lum", "tri", "vex", "kor", "ari", "sol", "nix", "qua", "bri", "lo", "ta", "mi", "ra",
    "do", "fin", "pal", "gen", "mo", "ver", "ly", "sy", "tek", "ion", "eo", "cal", "dri", "ne", "ko", "ru",
)  # fmt: skip
DESCRIPTORS = (
    "Labs", "AI", "Health", "Robotics", "Analytics", "Systems", "Bio", "Energy", "Software", "Payments",
    "Logistics", "Security", "Foods", "Mobility", "Learning", "Data", "Cloud", "Materials",
)  # fmt: skip
FIRM_WORDS = ("Capital", "Partners", "Ventures", "Group", "Holdings", "Advisors", "Equity")
TLDS = (".com", ".com", ".com", ".io", ".ai", ".co", ".vc", ".app", ".tech", ".dev")
COUNTRY_TLDS = {
    "US": ".com", "CA": ".ca", "GB": ".co.uk", "DE": ".de", "FR": ".fr", "NL": ".nl", "SE": ".se",
    "NO": ".no", "DK": ".dk", "PL": ".pl", "ES": ".es", "IN": ".in", "EE": ".ee", "CH": ".ch", "IL": ".co.il",
    "CN": ".com.cn", "SG": ".sg", "BR": ".com.br",
}  # fmt: skip
LEGAL_FORMS = {
    "US": ("Inc.", "Inc", "LLC", "Corp."), "CA": ("Inc.", "Ltd."), "GB": ("Ltd", "Limited", "Ltd."),
    "DE": ("GmbH", "AG"), "FR": ("SAS", "SA"), "NL": ("B.V.", "BV"), "SE": ("AB",), "NO": ("AS",),
    "DK": ("ApS", "A/S"), "PL": ("Sp. z o.o.",), "ES": ("S.L.",), "IN": ("Pvt Ltd", "Private Limited"),
    "EE": ("OÜ",), "CH": ("AG", "GmbH"), "IL": ("Ltd",), "CN": ("Co., Ltd.",), "SG": ("Pte. Ltd.",),
    "BR": ("Ltda.",),
}  # fmt: skip
# city, region, country, international phone prefix, digits after the prefix
CITIES = (
    ("San Francisco", "California", "US", "+1 415", 7), ("New York", "New York", "US", "+1 212", 7),
    ("Austin", "Texas", "US", "+1 512", 7), ("Boston", "Massachusetts", "US", "+1 617", 7),
    ("London", "England", "GB", "+44 20", 8), ("Manchester", "England", "GB", "+44 161", 7),
    ("Berlin", "Berlin", "DE", "+49 30", 8), ("Munich", "Bavaria", "DE", "+49 89", 8),
    ("Paris", "Île-de-France", "FR", "+33 1", 8), ("Amsterdam", "North Holland", "NL", "+31 20", 7),
    ("Stockholm", "Stockholm", "SE", "+46 8", 8), ("Oslo", "Oslo", "NO", "+47 2", 7),
    ("Copenhagen", "Capital Region", "DK", "+45 3", 7), ("Warsaw", "Masovia", "PL", "+48 22", 7),
    ("Madrid", "Madrid", "ES", "+34 91", 7), ("Bangalore", "Karnataka", "IN", "+91 80", 8),
    ("Tallinn", "Harju", "EE", "+372 6", 6), ("Zurich", "Zurich", "CH", "+41 44", 7),
    ("Tel Aviv", "Tel Aviv", "IL", "+972 3", 7), ("Toronto", "Ontario", "CA", "+1 416", 7),
)  # fmt: skip
REGIONAL = (  # an overseas entity of one firm: country, city, region, phone prefix, digits
    ("IN", "Bangalore", "Karnataka", "+91 80", 8), ("CN", "Shanghai", "Shanghai", "+86 21", 8),
    ("SG", "Singapore", "Singapore", "+65 6", 7), ("BR", "São Paulo", "São Paulo", "+55 11", 8),
    ("DE", "Berlin", "Berlin", "+49 30", 8), ("GB", "London", "England", "+44 20", 8),
)  # fmt: skip
REGION_NAMES = {"IN": "India", "CN": "China", "SG": "Singapore", "BR": "Brasil", "DE": "Deutschland",
                "GB": "UK"}  # fmt: skip
SHARED_HOSTS = (
    "notion.site", "webflow.io", "substack.com", "github.io", "medium.com", "carrd.co", "framer.website",
    "vercel.app", "wixsite.com", "squarespace.com",
)  # fmt: skip
SAME_WORDS = (  # a word two unrelated companies are named after, and what the second one adds
    ("Notion", "Capital"), ("Plaid", "Cymru"), ("Bolt", ""), ("Mercury", "Partners"), ("Apex", "Health"),
    ("Nova", "Bank"), ("Ember", "Ventures"), ("Aurora", "Energy"), ("Echo", "Labs"), ("Zenith", "Group"),
    ("Orbit", "Pharma"), ("Quanta", "Capital"), ("Pulse", "Media"), ("Vertex", "AI"), ("Onyx", "Studio"),
)  # fmt: skip
FIRST_NAMES = (
    "Anna", "Erik", "David", "Sarah", "Laura", "Thomas", "Julia", "Lukas", "Emma", "Oliver", "Sofia",
    "Lucas", "Mia", "Noah", "Hannah", "Felix", "Clara", "Jonas", "Lea", "Paul", "Marta", "Pablo", "Lucia",
    "Marco", "Giulia", "Luca", "Chiara", "Omar", "Layla", "Yusuf", "Amira", "Ravi", "Priya", "Arjun",
    "Ananya", "Wei", "Li", "Hiro", "Yuki", "Min", "Ji-woo", "Kwame", "Ama", "Tunde", "Ngozi", "Ivan",
    "Olga", "Dmitri", "Katya", "Piotr", "Agnieszka", "Tomasz", "Eva", "Jan", "Lars", "Ingrid", "Nils",
    "Astrid", "Mats", "Freya", "Liam", "Grace", "Ethan", "Chloe", "Ryan", "Olivia", "Nathan", "Isla",
    "Adam", "Zoe", "Daniel", "Rachel", "Samuel", "Naomi", "Simon", "Helen", "Peter", "Claire", "Mark",
    "Diane", "George", "Alice", "Henry", "Ruth", "Oscar", "Nina", "Hugo", "Elena", "Victor", "Irene",
    "Leon", "Maya", "Tobias", "Vera", "Andre", "Camille", "Louis", "Manon", "Theo", "Ines",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Kim", "Nguyen", "Patel", "Garcia", "Rossi", "Berg", "Brandt", "Lind", "Hale",
    "Ross", "Reyes", "Cole", "Walsh", "Novak", "Fischer", "Weber", "Schulz", "Dubois", "Laurent", "Moreau",
    "Jansen", "de Vries", "Bakker", "Andersson", "Nilsson", "Larsen", "Hansen", "Kowalski", "Nowak",
    "Sato", "Tanaka", "Chen", "Wang", "Singh", "Shah", "O'Brien", "Murphy", "Kelly", "Cohen", "Levi",
    "Silva", "Santos", "Costa", "Ferrari", "Bianchi", "Romano", "Moretti", "Haddad", "Okafor", "Mensah",
    "Adeyemi", "Ivanova", "Petrov", "Popescu", "Horvat", "Kovacs", "Varga", "Yilmaz", "Demir", "Park",
    "Lee", "Choi", "Tan", "Lim", "Wong", "Murray", "Grant", "Fraser", "Bell", "Reid", "Young", "Baker",
    "Carter", "Hughes", "Price", "Foster", "Hayes", "Ward", "Brooks", "Morgan", "Bennett", "Barnes",
    "Fisher", "Sullivan", "Jensen", "Holm", "Dahl", "Strand", "Eriksen", "Virtanen", "Korhonen", "Lehmann",
    "Krause", "Vogel", "Keller", "Roth", "Frank", "Meyer", "Wolf", "Koch", "Richter", "Klein", "Braun",
    "Hartmann", "Lange", "Werner", "Schmitt", "Peters", "Scholz", "Hahn", "Kaiser", "Fuchs", "Vidal",
    "Navarro", "Torres", "Ramos", "Molina", "Ortega", "Delgado", "Castro", "Rubio", "Mendez", "Flores",
)  # fmt: skip
ACCENTED_PEOPLE = (  # written with diacritics, and how an ASCII-only system spells them
    ("Søren", "Østergaard"), ("Jürgen", "Müller"), ("Björn", "Strauß"), ("Zoë", "Jørgensen"),
    ("Łukasz", "Wąsik"), ("Ágnes", "Kovács"), ("José", "Núñez"), ("Chloé", "Lefèvre"), ("Åsa", "Bækgaard"),
    ("Günther", "Schröder"), ("Mælle", "Brønnum"), ("François", "Gonçalves"), ("Dörte", "Weiß"),
    ("Øystein", "Hæreid"), ("Renée", "Dupré"), ("Jiří", "Dvořák"), ("İlkay", "Öztürk"), ("Małgorzata", "Łódzka"),
)  # fmt: skip
ACCENTED_COMPANIES = (
    "Müller Logistik", "Łódź Robotics", "Søndergaard Bio", "Café Naturé", "Größe Analytics", "Ærø Energy",
    "Señor Pagos", "Zürich Data", "Björkö Foods", "Hôtelier Cloud", "Kraków Materials", "Fjäll Security",
    "Øresund Capital", "Brüder Health", "Škoda Labs", "Čapek Robotics",
)  # fmt: skip
NICKNAMES = (
    ("Alejandro", "Alex"), ("Samantha", "Sam"), ("Giuseppe", "Beppe"), ("William", "Bill"),
    ("Robert", "Bob"), ("Elizabeth", "Liz"), ("Katherine", "Kate"), ("Jonathan", "Jon"), ("Michael", "Mike"),
    ("Margaret", "Peggy"), ("Francisco", "Paco"), ("Aleksandr", "Sasha"), ("Johannes", "Hannes"),
    ("Nicholas", "Nick"), ("Rebecca", "Becky"), ("Theodore", "Ted"), ("Christopher", "Chris"),
    ("Benjamin", "Ben"), ("Jennifer", "Jen"), ("Anthony", "Tony"), ("Maximilian", "Max"),
    ("Victoria", "Vicky"), ("Matthew", "Matt"), ("Friedrich", "Fritz"), ("Susanne", "Susi"),
)  # fmt: skip
SHARED_NICKNAMES = (  # one short name for two different long ones (siblings at one firm)
    ("Alex", "Alexander", "Alexandra"), ("Sam", "Samuel", "Samantha"), ("Chris", "Christopher", "Christina"),
    ("Max", "Maximilian", "Maxine"), ("Jo", "Joanna", "Jonathan"), ("Fran", "Francesca", "Francis"),
    ("Nicky", "Nicholas", "Nicole"), ("Dani", "Daniel", "Daniela"), ("Gabi", "Gabriel", "Gabriela"),
)  # fmt: skip
FATHERS_AND_SONS = (
    "Robert", "William", "Thomas", "David", "Henry", "George", "Mark", "Peter", "Paul", "Samuel", "Daniel",
    "Edward", "James", "Richard", "Charles", "Frank", "Walter", "Arthur",
)  # fmt: skip
JOB_TITLES = (
    "Founder & CEO", "CEO", "CTO", "COO", "CFO", "Co-founder", "VP Engineering", "Head of Product",
    "Partner", "Principal", "Associate", "Investment Manager", "General Counsel", "Head of Growth",
    "Engineering Manager", "Head of Sales", "Chief Scientist", "Managing Director", "Analyst", None,
)  # fmt: skip
FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "proton.me")
TRANSLITERATION = {
    "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ø": "o", "æ": "ae", "å": "aa", "ł": "l", "Ä": "Ae",
    "Ö": "Oe", "Ü": "Ue", "Ø": "O", "Æ": "Ae", "Å": "Aa", "Ł": "L", "ı": "i", "İ": "I", "þ": "th",
}  # fmt: skip


def ascii_fold(text: str, *, german: bool = True) -> str:
    """``text`` in ASCII: with ``german`` umlauts and ß as ASCII writers spell them (ü → ue, ø → o, ß → ss),
    otherwise with the marks simply dropped (ü → u)."""
    if german:
        text = "".join(TRANSLITERATION.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L").replace("ß", "ss"))
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ø", "o").replace("Ø", "O")
    )


def slug(text: str, sep: str = "") -> str:
    """A lowercase ASCII slug of ``text`` for domains, emails and URLs."""
    return re.sub(r"[^a-z0-9]+", sep, ascii_fold(text, german=False).lower()).strip(sep)


# ----------------------------------------------------------------------------------------------- model
@dataclass(frozen=True)
class Planted:
    """A labelled pair of records: of one ``kind``, true duplicates or a hard negative."""

    object: str
    kind: str
    a: str
    b: str
    duplicate: bool


@dataclass
class HardSet:
    """Records as Attio write payloads by key, the true entity of every record, and the labelled pairs.

    People's ``company`` is kept apart in ``employer`` (person key → company key) and resolved to record
    ids when the set is loaded into a workspace."""

    seed: int
    scale: float
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    employer: dict[str, str] = field(default_factory=dict)
    entity: dict[str, str] = field(default_factory=dict)
    pairs: list[Planted] = field(default_factory=list)

    def clusters(self, obj: str) -> list[set[str]]:
        """The true clusters of ``obj`` (companies or people): keys of one entity, two or more."""
        keys = self.companies if obj == COMPANIES else self.people
        groups: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            groups[self.entity[key]].add(key)
        return [members for members in groups.values() if len(members) > 1]

    def labelled(self, obj: str, *, duplicate: bool | None = None) -> list[Planted]:
        """The labelled pairs of ``obj``, optionally only the duplicates (True) or the negatives (False)."""
        return [p for p in self.pairs if p.object == obj and (duplicate is None or p.duplicate == duplicate)]

    def check(self) -> None:
        """Raise ``ValueError`` if the ground truth contradicts itself."""
        problems = []
        for p in self.pairs:
            records = self.companies if p.object == COMPANIES else self.people
            if p.a not in records or p.b not in records or p.a == p.b:
                problems.append(f"{p}: unknown or identical keys")
            elif (self.entity[p.a] == self.entity[p.b]) != p.duplicate:
                problems.append(f"{p}: label disagrees with the entities")
        for person, company in self.employer.items():
            if person not in self.people or company not in self.companies:
                problems.append(f"employer {person} -> {company}: unknown key")
        problems += _unique_values(self.companies, "domains", "domain")
        problems += _unique_values(self.people, "email_addresses", "email")
        if set(self.entity) != set(self.companies) | set(self.people):
            problems.append("entity keys differ from record keys")
        if problems:
            raise ValueError("; ".join(problems[:5]))


def _unique_values(records: dict[str, dict[str, Any]], slug_: str, noun: str) -> list[str]:
    """Problems with a unique attribute: a value held by two records (Attio would refuse the second)."""
    seen: dict[str, str] = {}
    out = []
    for key, values in records.items():
        for value in values.get(slug_, []):
            holder = seen.setdefault(value.lower(), key)
            if holder != key:
                out.append(f"{noun} {value} on {holder} and {key}")
    return out


# --------------------------------------------------------------------------------------------- builder
class _Builder:
    """Makes records with unique names, domains and emails, and keeps the ground truth."""

    def __init__(self, seed: int, scale: float) -> None:
        self.rng = random.Random(seed)
        self.set = HardSet(seed=seed, scale=scale)
        self.names: set[str] = set()
        self.labels: set[str] = set()
        self.domains: set[str] = set()
        self.emails: set[str] = set()
        self.people_names: set[tuple[str, str]] = set()
        self.office: dict[str, str] = {}  # company key -> office phone
        self.city_of: dict[str, City] = {}
        self.background: list[str] = []  # company keys people can work at
        self.linkedin_slugs: set[str] = set()
        self.group: list[str] | None = None  # the planted group being made

    # ---------------------------------------------------------------------------- values and keys
    def key(self, prefix: str) -> str:
        records = self.set.companies if prefix == "c" else self.set.people
        return f"{prefix}{len(records):05d}"

    def city(self) -> City:
        return self.rng.choice(CITIES)

    @staticmethod
    def location(city: City) -> dict[str, Any]:
        locality, region, country = city[:3]
        return {
            "line_1": None, "line_2": None, "line_3": None, "line_4": None, "locality": locality,
            "region": region, "postcode": None, "country_code": country, "latitude": None, "longitude": None,
        }  # fmt: skip

    def phone(self, city: City) -> str:
        prefix, digits = city[3], city[4]
        number = "".join(str(self.rng.randint(0, 9)) for _ in range(digits))
        number = str(self.rng.randint(2, 9)) + number[1:]
        return f"{prefix} {number[:3]} {number[3:]}"

    def fresh_name(self, make: Callable[[], str]) -> str:
        for _ in range(200):
            name = make()
            if name.lower() not in self.names:
                self.names.add(name.lower())
                return name
        raise RuntimeError("ran out of company names")

    def brand(self) -> str:
        """A new brand name: invented ("Zenova"), two words ("Blue Fjord") or a word and a descriptor."""
        rng = self.rng

        def make() -> str:
            style = rng.random()
            if style < 0.4:
                return "".join(rng.sample(SYLLABLES, rng.choice((2, 2, 3)))).capitalize()
            if style < 0.75:
                return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
            return f"{rng.choice(NOUNS + ADJECTIVES)} {rng.choice(DESCRIPTORS)}"

        return self.fresh_name(make)

    def fresh_label(self, name: str) -> str:
        """A domain label for ``name`` that no other company uses (a prefix such as ``get`` if needed)."""
        base = slug(name)
        for candidate in (base, f"get{base}", f"{base}hq", f"try{base}", f"{base}app", f"use{base}"):
            if candidate not in self.labels:
                self.labels.add(candidate)
                return candidate
        return self.fresh_label(name + self.rng.choice(SYLLABLES))

    def domain(self, host: str) -> str:
        if host in self.domains:
            raise ValueError(f"domain {host} used twice")
        self.domains.add(host)
        return host

    def email(self, local: str, host: str) -> str:
        address = f"{local}@{host}"
        n = 2
        while address.lower() in self.emails:
            address = f"{local}{n}@{host}"
            n += 1
        self.emails.add(address.lower())
        return address

    # --------------------------------------------------------------------------------- records
    def company(
        self,
        name: str,
        domains: Iterable[str] = (),
        city: City | None = None,
        *,
        same_as: str | None = None,
        description: str | None = None,
        linkedin: str | None = None,
    ) -> str:
        """Add a company record; ``same_as`` makes it a duplicate of that record (one entity)."""
        key = self.key("c")
        city = city or self.city()
        values: dict[str, Any] = {"name": name, "primary_location": self.location(city)}
        hosts = [self.domain(d) for d in domains]
        if hosts:
            values["domains"] = hosts
        if description:
            values["description"] = description
        if linkedin:
            values["linkedin"] = linkedin
        self.set.companies[key] = values
        self.set.entity[key] = self.set.entity[same_as] if same_as else f"E{key}"
        self.city_of[key] = city
        if self.group is not None:
            self.group.append(key)
        return key

    def person(
        self,
        first: str,
        last: str,
        *,
        company: str | None = None,
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        city: City | None = None,
        linkedin: str | None = None,
        job_title: str | None = None,
        same_as: str | None = None,
        full_name: str | None = None,
    ) -> str:
        """Add a person record; ``same_as`` makes it a duplicate of that record (one entity)."""
        key = self.key("p")
        city = city or (self.city_of[company] if company else self.city())
        full = full_name if full_name is not None else f"{first} {last}".strip()
        values: dict[str, Any] = {
            "name": {"first_name": first, "last_name": last, "full_name": full},
            "primary_location": self.location(city),
        }
        if emails := list(emails):
            values["email_addresses"] = emails
        if phones := list(phones):
            values["phone_numbers"] = phones
        if linkedin:
            values["linkedin"] = linkedin
        if job_title:
            values["job_title"] = job_title
        self.set.people[key] = values
        if company:
            self.set.employer[key] = company
        self.set.entity[key] = self.set.entity[same_as] if same_as else f"E{key}"
        if self.group is not None:
            self.group.append(key)
        return key

    @contextlib.contextmanager
    def planting(self, kind: str) -> Iterator[None]:
        """Records made inside the block form one planted group of ``kind``: every pair of them of one
        object is labelled, a duplicate when both are of one entity, else a hard negative."""
        group: list[str] = []
        self.group = group
        try:
            yield
        finally:
            self.group = None
        for obj, prefix in ((COMPANIES, "c"), (PEOPLE, "p")):
            keys = [k for k in group if k.startswith(prefix)]
            for i, a in enumerate(keys):
                for other in keys[i + 1 :]:
                    same = self.set.entity[a] == self.set.entity[other]
                    self.set.pairs.append(Planted(obj, kind, a, other, same))

    # ---------------------------------------------------------------------------------- helpers
    def site(self, name: str, city: City) -> str:
        """A company's own website host: its label on a common TLD or its country's."""
        label = self.fresh_label(name)
        tld = self.rng.choice((*TLDS, COUNTRY_TLDS.get(city[2], ".com")))
        return label + tld

    def company_linkedin(self, name: str) -> str | None:
        return f"https://www.linkedin.com/company/{slug(name, '-')}" if self.rng.random() < 0.35 else None

    def legal(self, name: str, country: str) -> str:
        form = self.rng.choice(LEGAL_FORMS.get(country, ("Ltd",)))
        return f"{name}, {form}" if form.startswith("Inc") and self.rng.random() < 0.3 else f"{name} {form}"

    def unique_person_name(self, firsts: tuple[str, ...] = FIRST_NAMES) -> tuple[str, str]:
        for _ in range(500):
            name = (self.rng.choice(firsts), self.rng.choice(LAST_NAMES))
            if name not in self.people_names:
                self.people_names.add(name)
                return name
        raise RuntimeError("ran out of person names")

    def work_email(self, first: str, last: str, company: str) -> str | None:
        hosts = self.set.companies[company].get("domains", [])
        if not hosts:
            return None
        f, la = slug(first), slug(last)
        local = self.rng.choice((f"{f}.{la}", f, f"{f[:1]}{la}", f"{f}{la[:1]}", f"{f}.{la}"))
        return self.email(local, hosts[0])

    def free_email(self, first: str, last: str) -> str:
        f, la = slug(first), slug(last)
        local = self.rng.choice(
            (f"{f}.{la}", f"{f}{la}", f"{f}.{la}{self.rng.randint(1, 99)}", f"{f[:1]}{la}")
        )
        return self.email(local, self.rng.choice(FREE_MAIL))

    def person_linkedin_slug(self, first: str, last: str) -> str:
        base = slug(f"{first} {last}", "-")
        candidate = base
        while candidate in self.linkedin_slugs:
            candidate = f"{base}-{self.rng.randrange(16**6):06x}"
        self.linkedin_slugs.add(candidate)
        return candidate

    def linkedin_url(self, handle: str) -> str:
        """A LinkedIn profile URL in one of the shapes CRMs hold."""
        shape = self.rng.choice(
            (
                "https://www.linkedin.com/in/{}/",
                "https://www.linkedin.com/in/{}",
                "linkedin.com/in/{}",
                "http://uk.linkedin.com/in/{}?trk=profile",
                "www.linkedin.com/in/{}/",
                "https://linkedin.com/in/{}/?originalSubdomain=de",
            )
        )
        return shape.format(handle)

    def colleague(self, company: str, first: str | None = None, last: str | None = None, **extra: Any) -> str:
        """A person at ``company`` with a work email, perhaps a phone and a LinkedIn profile."""
        if first is None or last is None:
            first, last = self.unique_person_name()
        emails = [e] if (e := self.work_email(first, last, company)) else []
        phones = extra.pop("phones", None)
        if phones is None:
            phones = [self.phone(self.city_of[company])] if self.rng.random() < 0.4 else []
        linkedin = extra.pop("linkedin", None)
        if linkedin is None and self.rng.random() < 0.5:
            linkedin = self.linkedin_url(self.person_linkedin_slug(first, last))
        return self.person(
            first,
            last,
            company=company,
            emails=emails,
            phones=phones,
            linkedin=linkedin,
            job_title=extra.pop("job_title", self.rng.choice(JOB_TITLES)),
            **extra,
        )

    def office_phone(self, company: str) -> str:
        if company not in self.office:
            self.office[company] = self.phone(self.city_of[company])
        return self.office[company]


# ------------------------------------------------------------------------------------ company kinds
def _shared_host(b: _Builder) -> None:
    """Unrelated startups whose only site sits on one hosting platform; and one startup recorded once on its
    hosted page and once on its own domain."""
    host = b.rng.choice(SHARED_HOSTS)
    one, two = b.brand(), b.brand()
    b.company(one, [f"{slug(one, '-')}.{host}"])
    b.company(two, [f"{slug(two, '-')}.{host}"])
    name = b.brand()
    city = b.city()
    first = b.company(name, [f"{slug(name, '-')}.{b.rng.choice(SHARED_HOSTS)}"], city)
    b.company(name, [b.site(name, city)], city, same_as=first)


def _fund_family(b: _Builder) -> None:
    """A manager, its numbered funds and SPVs on its domain (all distinct); and one fund entered twice."""
    manager = b.fresh_name(
        lambda: f"{b.rng.choice(ADJECTIVES + NOUNS)} {b.rng.choice(NOUNS)} {b.rng.choice(FIRM_WORDS)}"
    )
    city = b.city()
    label = b.fresh_label(manager.rsplit(" ", 1)[0])
    home = f"{label}{b.rng.choice(('.vc', '.com', '.capital', COUNTRY_TLDS[city[2]]))}"
    b.company(manager, [home], city)
    romans = ("I", "II", "III", "IV")
    n = b.rng.randint(2, 3)
    funds = [
        b.company(
            f"{manager} Fund {romans[i]}", [f"fund{i + 1}.{home}"] if b.rng.random() < 0.6 else [], city
        )
        for i in range(n)
    ]
    year = b.rng.randint(2019, 2025)
    [
        b.company(f"{manager} SPV {year}-{letter}", [f"spv-{year}{letter.lower()}.{home}"], city)
        for letter in "AB"
    ]
    form = b.rng.choice((", L.P.", " LP", " L.P.", " SCSp"))
    b.company(f"{manager} Fund {romans[n - 1]}{form}", [], city, same_as=funds[-1])


def _regional_entity(b: _Builder) -> None:
    """A firm's offices abroad on the same label and other TLDs (distinct legal entities); and one office
    recorded twice."""
    name = b.brand()
    city = b.city()
    label = b.fresh_label(name)
    b.company(name, [f"{label}.com"], city)
    country, locality, region, prefix, digits = b.rng.choice(REGIONAL)
    office_city = (locality, region, country, prefix, digits)
    office_name = b.rng.choice(
        (f"{name} {REGION_NAMES[country]}", b.legal(f"{name} {REGION_NAMES[country]}", country))
    )
    office = b.company(office_name, [f"{label}{COUNTRY_TLDS[country]}"], office_city)
    b.company(b.legal(f"{name} {REGION_NAMES[country]}", country), [], office_city, same_as=office)


def _same_word(b: _Builder, word: str, addition: str) -> None:
    """Two companies named after one word ("Notion" / "Notion Capital", two "Bolt"s); and a copy of one."""
    while word.lower() in b.names:  # a later round: another word of the same kind
        word = word + b.rng.choice(SYLLABLES)
    second = f"{word} {addition}" if addition else word
    b.names |= {word.lower(), second.lower()}
    city_a, city_b = b.rng.sample(CITIES, 2)
    label = slug(word)
    b.labels.add(label)
    hosts = [f"{label}{t}" for t in (".com", ".so", ".io", ".eu", ".vc", ".ai", ".co", ".net")]
    free = [h for h in hosts if h not in b.domains]
    b.company(word, [free[0]], city_a)
    y = b.company(second, [free[1]], city_b)
    b.company(b.legal(second, city_b[2]), [], city_b, same_as=y)


def _no_domain(b: _Builder) -> None:
    """One company twice in one city, once without a domain; and a namesake in another city."""
    name = b.brand()
    city, other = b.rng.sample(CITIES, 2)
    x = b.company(name, [b.site(name, city)], city)
    b.company(name, [], city, same_as=x)
    b.company(name, [], other)


def _legal_suffix(b: _Builder) -> None:
    """ "Acme" / "Acme GmbH" in one city; and "Acme Inc." / "Acme GmbH" unrelated in two countries."""
    name = b.brand()
    city, other = b.rng.sample(CITIES, 2)
    host = b.site(name, city)
    x = b.company(b.legal(name, city[2]), [host], city)
    b.company(
        name if b.rng.random() < 0.5 else b.legal(name, city[2]).upper(),
        [f"app.{host}"] if b.rng.random() < 0.4 else [],
        city,
        same_as=x,
    )
    b.company(b.legal(name, other[2]), [b.site(name, other)], other)


def _ampersand(b: _Builder) -> None:
    """ "Hale & Partners" / "Hale and Partners"; and "Hale & Ross" / "Hale & Reid", two firms in one city."""
    founder, second, third = b.rng.sample(LAST_NAMES, 3)
    tail = b.rng.choice(("Partners", "Co", "Associates", "Sons", f"{second}"))
    name = b.fresh_name(lambda: f"{founder} & {tail}")
    city = b.city()
    x = b.company(name, [b.site(name.replace("&", "and"), city)], city)
    b.company(name.replace("&", "and"), [], city, same_as=x)
    other_tail = third if tail == second else second
    rival = b.fresh_name(lambda: f"{founder} & {other_tail}")
    b.company(rival, [b.site(rival.replace("&", "and"), city)], city)


def _accent(b: _Builder, name: str) -> None:
    """ "Müller Logistik" / "Mueller Logistik" in one city; and "Muller Logistik", another company abroad
    whose name is the same once the accents are dropped."""
    b.names.add(name.lower())
    city = b.city()
    x = b.company(name, [b.site(name, city)], city)
    b.company(ascii_fold(name, german=b.rng.random() < 0.6), [], city, same_as=x)
    other = ascii_fold(name, german=False)
    far = b.rng.choice([c for c in CITIES if c[2] != city[2]])
    b.company(other, [b.site(other, far)], far)


def _misspell(rng: random.Random, word: str) -> str:
    """``word`` with a dropped, doubled or swapped letter (never the first)."""
    i = rng.randrange(1, len(word) - 1)
    how = rng.choice(("drop", "double", "swap"))
    if how == "drop":
        return word[:i] + word[i + 1 :]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _misspelt(b: _Builder) -> None:
    """A misspelt copy of a company; and two real companies one letter apart ("Lumina" / "Lumena")."""
    name = b.fresh_name(lambda: "".join(b.rng.sample(SYLLABLES, 3)).capitalize())
    city = b.city()
    x = b.company(name, [b.site(name, city)], city)
    typo = _misspell(b.rng, name)
    b.names.add(typo.lower())
    b.company(typo, [], city, same_as=x)
    near = b.fresh_name(lambda: _misspell(b.rng, name))
    far = b.rng.choice([c for c in CITIES if c != city])
    b.company(near, [b.site(near, far)], far)


def _joined_name(b: _Builder) -> None:
    """ "Blue Fjord" / "BlueFjord" and "Kite.ai" / "Kite"; and "Orbit.ai" / "Orbit" as two companies."""
    two = b.fresh_name(lambda: f"{b.rng.choice(ADJECTIVES)} {b.rng.choice(NOUNS)}")
    city = b.city()
    x = b.company(two, [b.site(two, city)], city)
    b.company(two.replace(" ", "") if b.rng.random() < 0.5 else two.replace(" ", "-"), [], city, same_as=x)
    word = b.fresh_name(lambda: "".join(b.rng.sample(SYLLABLES, 2)).capitalize())
    tld = b.rng.choice((".ai", ".io", ".so"))
    label = b.fresh_label(word)
    y = b.company(f"{word}{tld}", [f"{label}{tld}"], city)
    b.company(word, [], city, same_as=y)
    far = b.rng.choice([c for c in CITIES if c != city])
    b.company(word, [b.site(word, far)], far)


def _rebrand(b: _Builder) -> None:
    """A company under its old name (old domain, and the new one's app subdomain) and its new name; and a
    studio's portfolio company on a subdomain of the studio's domain (two companies)."""
    old, new = b.brand(), b.brand()
    city = b.city()
    new_host = b.site(new, city)
    x = b.company(
        old,
        [b.site(old, city), f"app.{new_host}"],
        city,
        description=f"Formerly {old}, now {new}." if b.rng.random() < 0.3 else None,
    )
    b.company(new, [new_host], city, same_as=x)
    studio = b.fresh_name(lambda: f"{b.rng.choice(NOUNS)} Studio")
    studio_host = b.site(studio, city)
    b.company(studio, [studio_host], city)
    product = b.brand()
    b.company(product, [f"{slug(product)}.{studio_host}"], city)


def _tld_variant(b: _Builder) -> None:
    """One company on two TLDs (acme.com / acme.io, same name and city); and two unrelated same-named
    companies on one label and two TLDs in two countries (two "Bolt"s)."""
    name = b.brand()
    city, other = b.rng.sample(CITIES, 2)
    label = b.fresh_label(name)
    x = b.company(name, [f"{label}.com"], city)
    tlds = [t for t in (".io", ".co", ".ai", COUNTRY_TLDS[city[2]]) if t != ".com"]
    b.company(name, [f"{label}{b.rng.choice(tlds)}"], city, same_as=x)
    word = b.brand()
    word_label = b.fresh_label(word)
    b.company(word, [f"{word_label}.com"], city)
    b.company(word, [f"{word_label}{COUNTRY_TLDS[other[2]] if other[2] != 'US' else '.us'}"], other)


def _parent_subsidiary(b: _Builder) -> None:
    """A group and its subsidiary in one city (one on a subdomain of the other); and the subsidiary twice."""
    root = b.fresh_name(
        lambda: f"{b.rng.choice(LAST_NAMES)} {b.rng.choice(('Group', 'Holdings', 'Industries'))}"
    )
    city = b.city()
    family = root.split()[0]
    host = b.site(root, city)
    b.company(root, [host], city)
    unit = b.fresh_name(lambda: f"{family} {b.rng.choice(DESCRIPTORS)}")
    sub = b.company(
        unit, [f"{slug(unit.split()[-1])}.{host}" if b.rng.random() < 0.5 else b.site(unit, city)], city
    )
    b.company(b.legal(unit, city[2]), [], city, same_as=sub)


# ------------------------------------------------------------------------------------- people kinds
def _shared_phone(b: _Builder) -> None:
    """Colleagues sharing the office phone; and one person twice with one phone (a card scan, no email)."""
    company = b.rng.choice(b.background)
    phone = b.office_phone(company)
    b.colleague(company, phones=[phone])
    b.colleague(company, phones=[phone])
    first, last = b.unique_person_name()
    mobile = b.phone(b.city_of[company])
    z = b.colleague(company, first, last, phones=[mobile])
    b.person(first, last, phones=[mobile.replace(" ", "")], city=b.city_of[company], same_as=z)


def _family_firm(b: _Builder) -> str:
    family = b.rng.choice([n for n in LAST_NAMES if n.isalpha()])
    name = b.fresh_name(
        lambda: f"{family} {b.rng.choice(('& Sons', 'Family Office', 'Brothers', 'Holdings'))}"
    )
    city = b.city()
    return b.company(name, [b.site(name, city)], city)


def _jr_sr(b: _Builder) -> None:
    """Father and son, "Jr." and "Sr.", at the family firm; and the son twice, once without the "Jr."."""
    firm = _family_firm(b)
    family = b.set.companies[firm]["name"].split()[0]
    first = b.rng.choice(FATHERS_AND_SONS)
    phone = b.office_phone(firm)
    in_last = b.rng.random() < 0.5  # "Hale Jr." as the last name, or only in the full name "Hale, Jr."

    def generation(suffix: str) -> str:
        last = f"{family} {suffix}" if in_last else family
        full = f"{first} {family} {suffix}" if in_last else f"{first} {family}, {suffix}"
        return b.colleague(firm, first, last, phones=[phone], full_name=full)

    jr = generation("Jr.")
    generation("Sr.")
    b.person(first, family, company=firm, emails=[b.free_email(first, family)], phones=[phone], same_as=jr)


def _siblings(b: _Builder) -> None:
    """Siblings with other first names at one firm; and one sibling twice (work and personal email)."""
    firm = _family_firm(b)
    family = b.set.companies[firm]["name"].split()[0]
    one, two = b.rng.sample(FIRST_NAMES, 2)
    phone = b.office_phone(firm)
    x = b.colleague(firm, one, family, phones=[phone])
    b.colleague(firm, two, family, phones=[phone])
    b.person(one, family, company=firm, emails=[b.free_email(one, family)], same_as=x)


def _initial(b: _Builder) -> None:
    """ "J. Ross" / "Jonathan Ross" at one company; and "Anna Berg" / "Anna Brandt" at one company."""
    company = b.rng.choice(b.background)
    first, last = b.unique_person_name(tuple(n for n, _ in NICKNAMES) + FIRST_NAMES)
    x = b.colleague(company, first, last)
    short = b.rng.choice((f"{first[0]}.", first[0]))
    b.person(
        short,
        last,
        company=company,
        phones=[b.phone(b.city_of[company])] if b.rng.random() < 0.5 else [],
        same_as=x,
    )
    name = b.rng.choice(FIRST_NAMES)
    initial = b.rng.choice(LAST_NAMES)[0]
    surnames = [s for s in LAST_NAMES if s[0] == initial]
    if len(surnames) < 2:
        surnames = [s for s in LAST_NAMES if s[0] == "B"]
    s1, s2 = b.rng.sample(surnames, 2)
    b.colleague(company, name, s1)
    b.colleague(company, name, s2)


def _changed_company(b: _Builder) -> None:
    """One person at an old and a new company (two emails) with one LinkedIn in two URL shapes; and two
    namesakes at two companies with their own LinkedIn profiles."""
    old, new = b.rng.sample(b.background, 2)
    first, last = b.unique_person_name()
    handle = b.person_linkedin_slug(first, last)
    x = b.colleague(old, first, last, linkedin=b.linkedin_url(handle), job_title="Head of Product")
    b.colleague(new, first, last, linkedin=b.linkedin_url(handle), job_title="VP Product", same_as=x)
    other = b.rng.choice([c for c in b.background if c not in (old, new)])
    b.colleague(other, first, last, linkedin=b.linkedin_url(b.person_linkedin_slug(first, last)))


def _transliteration(b: _Builder, first: str, last: str) -> None:
    """ "Søren Østergaard" / "Soren Ostergaard" at one company; and a namesake once transliterated, at another
    company in another city."""
    company, elsewhere = b.rng.sample(b.background, 2)
    x = b.colleague(company, first, last, phones=[b.office_phone(company)])
    german = b.rng.random() < 0.5
    b.colleague(company, ascii_fold(first, german=german), ascii_fold(last, german=german), same_as=x)
    b.colleague(elsewhere, ascii_fold(first, german=not german), ascii_fold(last, german=not german))


def _full_name_in_first(b: _Builder) -> None:
    """A person's full name written in ``first_name`` (an import) and the same person split; and a
    namesake imported the same way at another company."""
    company, elsewhere = b.rng.sample(b.background, 2)
    first, last = b.unique_person_name()
    x = b.colleague(company, first, last)
    b.person(f"{first} {last}", "", company=company, emails=[b.free_email(first, last)], same_as=x)
    b.person(f"{first} {last}", "", company=elsewhere, emails=[b.free_email(first, last)])


def _nickname(b: _Builder, formal: str, short: str) -> None:
    """ "Alejandro" / "Alex" at one company; and "Alexander" / "Alexandra" (both "Alex") at another."""
    company = b.rng.choice(b.background)
    last = b.rng.choice(LAST_NAMES)
    while {(formal, last), (short, last)} & b.people_names:
        last = b.rng.choice(LAST_NAMES)
    b.people_names |= {(formal, last), (short, last)}
    x = b.colleague(company, formal, last)
    b.colleague(company, short, last, phones=[], same_as=x)
    _, him, her = b.rng.choice(SHARED_NICKNAMES)
    other = b.rng.choice(b.background)
    family = b.rng.choice(LAST_NAMES)
    b.colleague(other, him, family)
    b.colleague(other, her, family)


def _free_mail(b: _Builder) -> None:
    """A person with a work email and again with a personal one (no company, same city); and two namesakes
    on free mail in two cities."""
    company = b.rng.choice(b.background)
    first, last = b.unique_person_name()
    x = b.colleague(company, first, last)
    b.person(first, last, emails=[b.free_email(first, last)], city=b.city_of[company], same_as=x)
    other, elsewhere = b.rng.sample(CITIES, 2)
    name = b.unique_person_name()
    b.person(*name, emails=[b.free_email(*name)], city=other)
    b.person(*name, emails=[b.free_email(*name)], city=elsewhere)


# ----------------------------------------------------------------------------------------- generate
def _background_companies(b: _Builder, n: int) -> None:
    for _ in range(n):
        name = b.brand()
        city = b.city()
        domains = [b.site(name, city)] if b.rng.random() < 0.9 else []
        if domains and b.rng.random() < 0.08:
            domains.append(f"{b.fresh_label(name)}{COUNTRY_TLDS.get(city[2], '.io')}")
        shown = b.legal(name, city[2]) if b.rng.random() < 0.2 else name
        b.background.append(b.company(shown, domains, city, linkedin=b.company_linkedin(name)))


def _background_people(b: _Builder, n: int) -> None:
    weights = [1 / (i + 1) ** 0.6 for i in range(len(b.background))]  # a few large teams, many small
    for company in b.rng.choices(b.background, weights=weights, k=n):
        if b.rng.random() < 0.07:
            first, last = b.unique_person_name()
            b.person(first, last, emails=[b.free_email(first, last)], city=b.city())
        else:
            b.colleague(company)


def _accent_round(b: _Builder, i: int) -> None:
    extra = "" if i < len(ACCENTED_COMPANIES) else f" {DESCRIPTORS[i % len(DESCRIPTORS)]}"
    _accent(b, ACCENTED_COMPANIES[i % len(ACCENTED_COMPANIES)] + extra)


def _transliteration_round(b: _Builder, i: int) -> None:
    n = len(ACCENTED_PEOPLE)  # later rounds pair a first name with another's last name
    _transliteration(b, ACCENTED_PEOPLE[i % n][0], ACCENTED_PEOPLE[(i + i // n) % n][1])


Maker = Callable[[_Builder, int], None]  # plants one group of a kind in round i
COMPANY_MAKERS: dict[str, Maker] = {
    "shared_host": lambda b, i: _shared_host(b),
    "fund_family": lambda b, i: _fund_family(b),
    "regional_entity": lambda b, i: _regional_entity(b),
    "same_word": lambda b, i: _same_word(b, *SAME_WORDS[i % len(SAME_WORDS)]),
    "no_domain": lambda b, i: _no_domain(b),
    "legal_suffix": lambda b, i: _legal_suffix(b),
    "ampersand": lambda b, i: _ampersand(b),
    "accent": _accent_round,
    "misspelt": lambda b, i: _misspelt(b),
    "joined_name": lambda b, i: _joined_name(b),
    "rebrand": lambda b, i: _rebrand(b),
    "tld_variant": lambda b, i: _tld_variant(b),
    "parent_subsidiary": lambda b, i: _parent_subsidiary(b),
}
PEOPLE_MAKERS: dict[str, Maker] = {
    "shared_phone": lambda b, i: _shared_phone(b),
    "jr_sr": lambda b, i: _jr_sr(b),
    "siblings": lambda b, i: _siblings(b),
    "initial": lambda b, i: _initial(b),
    "changed_company": lambda b, i: _changed_company(b),
    "transliteration": _transliteration_round,
    "full_name_in_first": lambda b, i: _full_name_in_first(b),
    "nickname": lambda b, i: _nickname(b, *NICKNAMES[i % len(NICKNAMES)]),
    "free_mail": lambda b, i: _free_mail(b),
}


def generate(seed: int = 7, scale: float = 1.0) -> HardSet:
    """The hard set for ``seed``: ~1,500 companies and ~2,500 people at ``scale=1`` (deterministic)."""
    b = _Builder(seed, scale)
    rounds = max(2, round(14 * scale))
    _background_companies(b, max(20, round(780 * scale)))
    for i in range(rounds):
        for kind, make in COMPANY_MAKERS.items():
            with b.planting(kind):
                make(b, i)
    for i in range(2 * rounds):
        for kind, make in PEOPLE_MAKERS.items():
            with b.planting(kind):
                make(b, i)
    _background_people(b, max(30, round(2500 * scale) - len(b.set.people)))
    b.set.check()
    return b.set


# ------------------------------------------------------------------------------------------ loading
def _create(http: Any, obj: str, values: dict[str, Any]) -> str:
    response = http.post(f"/v2/objects/{obj}/records", json={"data": {"values": values}})
    if response.status_code != 200:
        raise RuntimeError(f"creating a {obj} record failed: {response.status_code} {response.text}")
    return str(response.json()["data"]["id"]["record_id"])


def load(sandbox: Any, hard_set: HardSet, *, workers: int = 1) -> dict[str, str]:
    """Create every record of ``hard_set`` in ``sandbox`` (a running sandbox, best with ``company_from_email``
    off and no rate limits) over HTTP; returns record key → Attio record id.

    With one worker (the default) records are created in key order, so creation times, and with them the
    survivors the recipes choose, are the same on every run; more workers load faster but in any order."""
    ids: dict[str, str] = {}

    def run(obj: str, items: list[tuple[str, dict[str, Any]]]) -> None:
        with sandbox.http() as http, ThreadPoolExecutor(workers) as pool:
            made = pool.map(lambda item: _create(http, obj, item[1]), items)
            ids.update(zip((key for key, _ in items), made, strict=True))

    run(COMPANIES, list(hard_set.companies.items()))
    people = []
    for key, values in hard_set.people.items():
        company = hard_set.employer.get(key)
        reference = {"target_object": COMPANIES, "target_record_id": ids[company]} if company else None
        people.append((key, {**values, "company": reference} if reference else values))
    run(PEOPLE, people)
    return ids
