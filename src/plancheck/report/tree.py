"""`plancheck tree` as lines with guides, drawn from the edge summaries of a checked tree."""

from __future__ import annotations

from collections.abc import Iterator

from rich.text import Text

from plancheck.report.rows import EdgeReport, ranked
from plancheck.report.text import clean

GUIDE_LEVELS = 12  # levels of guides `tree` draws before it writes the depth as a number


def tree_lines(roots: list[str], children: dict[str, list[EdgeReport]]) -> Iterator[Text]:
    """The hierarchy as lines with guides, walked with a stack: a chain of thousands of plans
    must not hit the recursion limit, and a plan below several parents is expanded only once, so
    the output grows with the number of links, never with the number of paths through them."""
    expanded: set[str] = set()
    # plans in a cycle that no root leads into (two plans naming each other, PC106) come last,
    # each cycle from its first plan: never left out
    for root_id in [*roots, *sorted(children)]:
        if root_id in expanded:
            continue
        yield Text(clean(root_id), style="bold")
        expanded.add(root_id)
        # (a plan's child links, the next one to show, their depth, the last guides before them)
        stack: list[tuple[list[EdgeReport], int, int, str]] = [(children.get(root_id, []), 0, 0, "")]
        while stack:
            links, index, depth, guide = stack.pop()
            if index >= len(links):
                continue
            stack.append((links, index + 1, depth, guide))
            s = links[index]
            last = index == len(links) - 1
            counts = ", ".join(f"{s.counts[k]} {k}" for k in ranked(s.counts))
            # deeper than the guides shown, the depth is written as a number: a chain of
            # thousands of plans would otherwise print guides that grow with its square
            shown = guide if depth <= GUIDE_LEVELS else f"({depth} levels) {guide}"
            line = Text(shown + ("└── " if last else "├── "), style="dim")
            line.append(clean(s.child))
            line.append(f"  ({counts or 'no targets compared'})", style="dim")
            below = children.get(s.child, [])
            if below and s.child in expanded:  # a cycle (PC106) or a second parent: shown once
                line.append("  (its plans are shown above)", style="dim")
            yield line
            if below and s.child not in expanded:
                expanded.add(s.child)
                deeper = (guide + ("    " if last else "│   "))[-4 * GUIDE_LEVELS :]
                stack.append((below, 0, depth + 1, deeper))
