"""Running a check over a whole tree: worker processes, the cache, and `validate --base`.

Nothing is imported here: a warm run imports only the modules it needs (see pipeline).
"""
