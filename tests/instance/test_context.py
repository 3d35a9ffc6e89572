"""The render context (``template/context.py``): what a template sees is what Copier gives it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, copier_copy, snapshot
from templsync.errors import ForbiddenPathError
from templsync.instance.copy import CopyOptions, copy
from templsync.template.context import CopierConf, ExternalData, operation_context, template_context
from testing.trees import build_tree

CONTEXT_DUMP = (
    "src={{ _copier_conf.src_path }}\ndst={{ _copier_conf.dst_path }}\n"
    "answers_file={{ _copier_conf.answers_file }}\nvcs_ref={{ _copier_conf.vcs_ref }}\n"
    "hash={{ _copier_conf.vcs_ref_hash }}\ndata={{ _copier_conf.data }}\n"
    "exclude={{ _copier_conf.exclude }}\nskip={{ _copier_conf.skip_if_exists }}\n"
    "flags={{ _copier_conf.defaults }} {{ _copier_conf.overwrite }} {{ _copier_conf.pretend }} "
    "{{ _copier_conf.quiet }} {{ _copier_conf.unsafe }} {{ _copier_conf.skip_tasks }} "
    "{{ _copier_conf.use_prereleases }} {{ _copier_conf.cleanup_on_error }} "
    "{{ _copier_conf.conflict }} {{ _copier_conf.context_lines }}\n"
    "os={{ _copier_conf.os }} sep={{ _copier_conf.sep }}\n"
    "folder={{ _folder_name }} python={{ _copier_python }} phase={{ _copier_phase }}\n"
    "operation={{ _copier_operation is defined }}\n"
    "src_path={{ _src_path }} commit={{ _commit is defined }}\n"
    "answers={{ _copier_answers }}\n"
    "external={{ _external_data.shared.region }} {{ _external_data.missing }}\n"
    "conf_json={{ _copier_conf.answers_file | to_json }}\n"
)
TEMPLATE = {
    "copier.yml": (
        "name:\n  default: demo\n"
        "_external_data:\n  shared: '{{ name }}-shared.yml'\n  missing: nothing-here.yml\n"
        "_exclude:\n  - '{% if _copier_operation == \"copy\" %}update-only.txt{% endif %}'\n"
    ),
    **ANSWERS_JINJA,
    "context.txt.jinja": CONTEXT_DUMP,
    "update-only.txt": "x\n",
    "local.txt": "template\n",
    "dropped.txt": "x\n",
}


def test_the_context_matches_copiers_for_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = build_tree(tmp_path / "tpl", TEMPLATE)
    existing = {"app-shared.yml": "region: eu\n", "local.txt": "mine\n"}
    data = {"name": "app", "extra": "given"}
    flags = {"exclude": ["dropped.txt"], "skip_if_exists": ["local.txt"]}
    for side in ("copier", "ours"):
        build_tree(tmp_path / side / "dst", existing)
    monkeypatch.chdir(tmp_path / "copier")
    copier_copy(str(template), Path("dst"), data, **flags)
    monkeypatch.chdir(tmp_path / "ours")
    options = CopyOptions(
        data=data,
        defaults=True,
        exclude=tuple(flags["exclude"]),
        skip_if_exists=tuple(flags["skip_if_exists"]),
        trust=True,
        quiet=True,
    )
    result = copy(str(template), Path("dst"), options)
    ours, theirs = snapshot(tmp_path / "ours" / "dst"), snapshot(tmp_path / "copier" / "dst")
    assert ours == theirs
    text = (tmp_path / "ours" / "dst" / "context.txt").read_text()
    assert "phase=render" in text and "external=eu {}" in text and "operation=False" in text
    assert f"python={sys.executable}" in text and "dst=dst" in text
    assert result.skipped == ("local.txt",)
    assert "update-only.txt" not in ours and "dropped.txt" not in ours


def test_external_data_outside_the_destination_needs_trust(tmp_path: Path) -> None:
    template = build_tree(
        tmp_path / "tpl",
        {
            "copier.yml": "_external_data:\n  up: ../outside.yml\n",
            "x.txt.jinja": "{{ _external_data.up }}\n",
        },
    )
    (tmp_path / "outside.yml").write_text("a: 1\n")
    with pytest.raises(ForbiddenPathError, match="outside"):
        copy(str(template), tmp_path / "dst", CopyOptions())
    assert not (tmp_path / "dst").exists()
    copy(str(template), tmp_path / "dst", CopyOptions(trust=True))
    assert (tmp_path / "dst" / "x.txt").read_text() == "{'a': 1}\n"


def test_external_data_is_read_once_and_only_when_used() -> None:
    reads: list[str] = []

    def load(path: str) -> object:
        reads.append(path)
        return {"path": path}

    data = ExternalData({"a": "a.yml", "b": "b.yml"}, load)
    assert list(data) == ["a", "b"] and reads == []
    assert data["a"] == {"path": "a.yml"} and data["a"] == {"path": "a.yml"}
    assert reads == ["a.yml"]


def test_template_context_layers_answers_over_metadata_and_adds_copiers_keys() -> None:
    conf = CopierConf(src_path="/t", dst_path="out", os="linux", sep="/")
    context = template_context(
        {"name": "x"},
        conf=conf,
        metadata={"_src_path": "gh:o/t", "_commit": None},
        copier_answers={"_src_path": "gh:o/t", "name": "x"},
        external_data={},
        folder_name="out",
        phase="prompt",
        python="/usr/bin/python3",
    )
    assert context["name"] == "x" and context["_src_path"] == "gh:o/t"
    assert "_commit" not in context and "_copier_operation" not in context
    assert context["_copier_phase"] == "prompt" and context["_copier_python"] == "/usr/bin/python3"
    assert operation_context(context, "copy")["_copier_operation"] == "copy"
    copier_conf = context["_copier_conf"]
    assert isinstance(copier_conf, dict)
    assert str(copier_conf["answers_file"]) == ".copier-answers.yml"
    assert list(copier_conf)[:5] == [
        "src_path",
        "dst_path",
        "answers_file",
        "vcs_ref",
        "vcs_ref_hash",
    ]
