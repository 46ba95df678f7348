"""groups/caching.py's `Memo`: the entries last used in this process, the oldest out first."""

from groups.caching import Memo, memos_forget


def test_a_memo_keeps_the_entries_last_used_and_drops_the_least_recently_used() -> None:
    memo = Memo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # "a" is now the most recently used
    memo.put("c", 3)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (1, None, 3)
    memos_forget()
    assert (memo.get("a"), memo.get("c")) == (None, None)
