"""The people (and objects) every authorization table row is checked against."""

from dataclasses import dataclass, field

from django.test import Client

# The people every row must give an answer for; rows may add the extra cast members below.
REQUIRED_PEOPLE = ("anonymous", "staff", "governor", "head", "exec_head", "hr")


@dataclass
class Row:
    """One named URL: how to build its arguments, how to call it and what each person gets."""

    expect: dict[str, int]
    args: object = None  # a function of the World giving the URL's positional arguments
    method: str = "get"
    data: object = None  # a function of the World giving the POST data

    def url_args(self, world) -> list:
        return list(self.args(world)) if self.args else []


@dataclass
class World:
    people: dict
    objects: dict = field(default_factory=dict)

    def client_for(self, who: str) -> Client:
        client = Client()
        person = self.people[who]
        if person is not None:
            client.force_login(person)
        return client
