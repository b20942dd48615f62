"""The methods page's sections, written from the method registry so that the page cannot drift.

Each unlearning method's objective lives in its class docstring, as a ``.. math::`` block beside the
loss it documents, with a ``:cite:`` role naming its source (``book/references.bib``). The API
reference renders those docstrings as they are (reStructuredText); the methods page
(``book/methods.md``, a MyST page) gets the same text as MyST Markdown, plus the hyper-parameters
and their defaults read from the constructor's signature and the data the method uses read from its
class attributes. :func:`method_markdown` does the conversion for the small reStructuredText subset
the docstrings use: roles and ``.. math::`` blocks (lists, emphasis and literals are the same in both).
"""

from __future__ import annotations

import inspect
import re

from pebench.unlearn.base import UnlearningMethod

#: ``:role:`text``` and ``:domain:role:`text``` in reStructuredText.
ROLE = re.compile(r":([a-z]+(?::[a-z]+)?):`([^`]+)`")
CITE = re.compile(r":cite:[a-z]*:`([^`]+)`")
MATH_DIRECTIVE = ".. math::"

#: What a method's class attributes say it uses, in the order the page lists them.
USES = {
    "uses_retain": "a retain batch",
    "uses_reference": "the frozen model before unlearning",
    "uses_refusals": "refusal answers",
    "balances_kinds": "forget batches balanced per concept",
}


def docstring(cls: type) -> str:
    """The class's own docstring, dedented (an inherited one does not count)."""
    return inspect.cleandoc(cls.__dict__.get("__doc__") or "")


def objectives(cls: type) -> list[str]:
    """The LaTeX of every ``.. math::`` block of the class docstring."""
    blocks, lines = [], docstring(cls).splitlines()
    for index, line in enumerate(lines):
        if line.strip() == MATH_DIRECTIVE:
            body = []
            for following in lines[index + 1 :]:
                if following.strip() and not following.startswith(" "):
                    break
                body.append(following)
            blocks.append(inspect.cleandoc("\n".join(body)))
    return blocks


def citations(cls: type) -> list[str]:
    """The BibTeX keys the class docstring cites, in order."""
    return [key.strip() for match in CITE.findall(docstring(cls)) for key in match.split(",")]


def summary(cls: type) -> str:
    """The docstring's first sentence as plain text, without its citations: what the method does."""
    first = " ".join(docstring(cls).split("\n\n")[0].split())
    plain = ROLE.sub(lambda match: "" if match[1] == "math" else match[2], CITE.sub("", first))
    return re.split(r"\.(?:\s|$)", " ".join(plain.replace(" :", ":").replace(" ,", ",").split()), maxsplit=1)[0]


def hyperparameters(cls: type) -> list[tuple[str, str]]:
    """(name, default) of each constructor argument; ``**others`` reads as "the base method's"."""
    rows = []
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if name == "self":
            continue
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            rows.append((f"**{name}", "the base method's"))
        else:
            rows.append((name, "required" if parameter.default is inspect.Parameter.empty else repr(parameter.default)))
    return rows


def to_markdown(text: str) -> str:
    """reStructuredText roles and ``.. math::`` blocks as MyST Markdown."""
    out, lines, index = [], text.splitlines(), 0
    while index < len(lines):
        line = lines[index]
        if line.strip() == MATH_DIRECTIVE:
            body = []
            index += 1
            while index < len(lines) and (not lines[index].strip() or lines[index].startswith(" ")):
                body.append(lines[index])
                index += 1
            out += ["```{math}", inspect.cleandoc("\n".join(body)), "```", ""]
            continue
        out.append(ROLE.sub(lambda match: f"{{{match[1]}}}`{match[2]}`", line))
        index += 1
    return "\n".join(out).strip()


def method_markdown(name: str, cls: type[UnlearningMethod]) -> str:
    """The methods page's section on one method: its objective, hyper-parameters and data."""
    target = f"{cls.__module__}.{cls.__qualname__}"
    rows = "\n".join(f"| `{param}` | `{default}` |" for param, default in hyperparameters(cls))
    table = f"| hyper-parameter | default |\n| --- | --- |\n{rows}" if rows else "No hyper-parameters."
    uses = [text for attribute, text in USES.items() if getattr(cls, attribute)]
    data = "the forget batch" + "".join(f", {text}" for text in uses)
    return "\n\n".join(
        [
            f"(method-{name})=\n### {cls.label}",
            to_markdown(docstring(cls)),
            table,
            f"Uses {data}. Chapters name it `{name}`; its code is {{py:class}}`{target}`.",
        ]
    )
