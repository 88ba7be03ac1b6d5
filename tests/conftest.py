"""Shared fixtures: the whole decision space is simulated once per test session."""
import pytest

from unloadlab.minifilter import simulate
from unloadlab.minifilter import decision_space


@pytest.fixture(scope="session")
def space():
    """(scenario, trace) for every combination in the minifilter decision space."""
    return [(s, simulate(s)) for s in decision_space()]
