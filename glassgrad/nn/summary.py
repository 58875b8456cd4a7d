"""How a Module prints: PyTorch's indented tree, and ``summary()``'s table of parameter counts."""
from __future__ import annotations

from typing import NamedTuple


def addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (how a child's repr nests inside its parent's)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def child_repr(child) -> str:
    """A child's tree without the parameter-count note that only the outermost module carries."""
    from .module import Module
    if isinstance(child, Module) and type(child).__repr__ is Module.__repr__:
        return child._repr_tree()
    return repr(child)


def repr_tree(module, child_lines: list | None = None) -> str:
    """PyTorch's layout: ``Name(extra)`` on one line, or the extra lines and ``(key): child`` lines
    indented inside."""
    extra = module.extra_repr()
    extra_lines = extra.split("\n") if extra else []
    if child_lines is None:
        child_lines = [f"({key}): " + addindent(child_repr(child), 2)
                       for key, child in module._modules.items()]
    lines = extra_lines + child_lines
    text = module._get_name() + "("
    if lines:
        if len(extra_lines) == 1 and not child_lines:
            text += extra_lines[0]
        else:
            text += "\n  " + "\n  ".join(lines) + "\n"
    return text + ")"


class SummaryRow(NamedTuple):
    name: str            # dotted path ('' for the module itself)
    type: str            # class name
    parameters: int      # the module's own parameters (not its children's)
    shapes: tuple        # shapes of those parameters


class ModuleSummary(NamedTuple):
    """``Module.summary()``: one row per module; prints as a table."""
    rows: tuple
    total: int
    trainable: int
    bytes: int

    def __str__(self) -> str:
        headers = ("name", "type", "parameters", "shapes")
        cells = [(r.name, r.type, str(r.parameters), ", ".join(str(s) for s in r.shapes))
                 for r in self.rows]
        widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headers)]

        def line(values):
            parts = [v.rjust(w) if i == 2 else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths))]
            return "  ".join(parts).rstrip()

        out = [line(headers), line(["-" * w for w in widths])] + [line(c) for c in cells]
        out.append(f"total: {self.total:,} parameters ({self.trainable:,} trainable), "
                   f"{self.bytes:,} bytes")
        return "\n".join(out)

    __repr__ = __str__


def summarize(module) -> ModuleSummary:
    rows = []
    for name, mod in module.named_modules():
        own = [p for p in mod._parameters.values() if p is not None]
        rows.append(SummaryRow(name, type(mod).__name__, sum(p.numel() for p in own),
                               tuple(tuple(p.shape) for p in own)))
    params = list(module.parameters())
    return ModuleSummary(tuple(rows), sum(p.numel() for p in params),
                         sum(p.numel() for p in params if p.requires_grad),
                         sum(p.numel() * p.element_size() for p in params))
