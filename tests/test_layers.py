"""The package's layers: admin → services → imports/exports → models, and no import circle.

Every import counts, at the top of a module or inside a function (a lazy import is
still a dependency: it only hides the circle until run time)."""

from __future__ import annotations

import ast
import pathlib

from models import HandbookProposal, Member, SocialAccount, normalize
from services import members

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("admin", "services", "models", "imports", "exports")


def _modules() -> dict[str, pathlib.Path]:
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _graph() -> dict[str, set[str]]:
    """Module → the project's modules it imports (``from package import name`` names the
    submodule when there is one, else the package)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_lazy_imports():
    """Positive control: an import inside a function is an edge."""
    graph = _graph()
    assert "models.normalize" in graph["models.member"] and "services.members" in graph["imports.write"]


def test_no_import_circle_between_modules():
    """Ensure that no two modules of the package import each other, directly or round a circle."""
    assert _cycles(_graph()) == []


def test_models_import_nothing_above_them():
    """Ensure that ``models/`` imports nothing from services, admin, imports or exports."""
    graph = _graph()
    upward = {(m, t) for m, targets in graph.items() if m.startswith("models")
              for t in targets if not t.startswith("models")}
    assert upward == set()


def test_member_save_writes_only_the_member(world):
    """Ensure that ``Member.save()`` writes the member alone, and that the member service
    does the follow-up work (the owner's name on their accounts, handbook proposals)."""
    world.member_a.full_name = "Nguyễn Văn Ân"
    world.member_a.save()
    assert SocialAccount.objects.get(pk=world.account_a.pk).member_name == "Nguyễn Văn An"
    new = Member(full_name="Lê Văn Mới", organisation=world.cell_a, position="Đảng viên dự bị",
                 admission_date=normalize.today())
    new.save()
    assert not HandbookProposal.objects(member=new).count()
    # the service: the same changes, with their follow-up
    fresh = Member.objects.get(pk=world.member_a.pk)
    fresh.full_name = "Nguyễn Văn Ấn"
    members.save(fresh, audited=False)
    assert SocialAccount.objects.get(pk=world.account_a.pk).member_name == "Nguyễn Văn Ấn"
    newer = members.save(Member(full_name="Lê Văn Mới Hơn", organisation=world.cell_a, position="Đảng viên dự bị",
                                admission_date=normalize.today()), audited=False)
    assert HandbookProposal.objects(member=newer, kind="create").count() == 1
