"""A Chain behaves as the tuple it replaces, whatever is added to which chain
and in what order, and adding to the newest chain costs O(1)."""

from __future__ import annotations

import copy
import pickle
import random

from ehplan.engine.chain import Chain


def test_every_chain_behaves_as_its_tuple_under_random_branching():
    rng = random.Random(7)
    chains: list[tuple[Chain[int], tuple[int, ...]]] = [(Chain(), ())]
    for step in range(3000):
        chain, model = chains[rng.randrange(len(chains))] if rng.random() < 0.3 else chains[-1]
        chains.append((chain.plus(step), (*model, step)))
    for chain, model in chains:
        assert chain == model and tuple(chain) == model and len(chain) == len(model)
        assert chain[-3:] == model[-3:] and list(chain) == list(model)
        if model:
            assert chain[0] == model[0] and chain[-1] == model[-1]
    a, b = chains[10][0], Chain(tuple(chains[10][0]))
    assert a == b and hash(a) == hash(b) and a != chains[11][0]


def test_the_newest_chain_shares_its_list_and_a_branch_copies():
    first = Chain([1, 2])
    second = first.plus(3)
    third = second.plus(4)
    assert second._items is third._items is first._items  # appended in place, each a view of its length
    branch = second.plus(5)  # second is no longer the newest: its items are copied first
    assert branch._items is not third._items
    assert (tuple(first), tuple(second), tuple(third), tuple(branch)) == ((1, 2), (1, 2, 3), (1, 2, 3, 4),
                                                                          (1, 2, 3, 5))


def test_a_chain_copies_and_pickles_as_its_own_items():
    chain = Chain([1, 2]).plus(3)
    longer = chain.plus(4)
    for twin in (copy.deepcopy(chain), pickle.loads(pickle.dumps(chain))):
        assert twin == (1, 2, 3) and twin._items == [1, 2, 3]
    assert longer == (1, 2, 3, 4)


def test_adding_the_item_a_longer_chain_already_added_shares_it_and_a_different_one_branches():
    base = Chain([1, 2])
    ahead = base.plus(3)  # decide's scratch state
    again = base.plus(3)  # the run's own, once the event is on disk
    assert again == ahead == (1, 2, 3) and again._items is ahead._items
    other = base.plus(4)
    assert other == (1, 2, 4) and other._items is not ahead._items and ahead == (1, 2, 3)
